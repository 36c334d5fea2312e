# Transport benchmarks (included by bench/CMakeLists.txt).
framerpc_add_bench(frame_codec_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/frame_codec_bench.cc
  LIBS framerpc_transport)
