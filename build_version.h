#define VRDMASIM_BUILD_VERSION "0.1.0-g8ac4b779c4bd-dirty"
