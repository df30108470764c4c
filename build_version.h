#define VRDMASIM_BUILD_VERSION "0.1.0-g2a7fa7f4dd53-dirty"
