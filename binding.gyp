{
  # The TUN addon (core/native/tun.cc). Built by `npm install` through scripts/build-native.js.
  "targets": [
    {
      "target_name": "tcplab_tun",
      "sources": ["core/native/tun.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=gnu++17", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
