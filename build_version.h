#define VRDMASIM_BUILD_VERSION "0.1.0-g7b6a0bd33d6c-dirty"
