#define VRDMASIM_BUILD_VERSION "0.1.0-g567b5fcf3dd8-dirty"
