# rpc-layer micro-benchmarks: request/response header build and parse, and an
# Echo round trip through the generated stub over loopback in one process.
framerpc_add_bench(rpc_bench
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rpc_bench.cc
  LIBS framerpc_echo_service framerpc_echo_proto framerpc::rpc)
