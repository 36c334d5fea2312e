# Closed-loop echo benchmarks, framerpc against gRPC and a raw framed socket
# (bench/run.sh runs them; bench/README.md says how). This part: the shared
# load generator, and the framerpc and raw servers and clients. The gRPC pair
# is in load_grpc.cmake and is built only when gRPC is installed.
#
# `bench_load` builds every load-test binary that can be built here.

add_library(framerpc_bench_load STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/load/closed_loop.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/load/process_stats.cc)
# Only abseil: the gRPC client links this too and nothing of framerpc.
target_include_directories(framerpc_bench_load PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(framerpc_bench_load PUBLIC
  framerpc_bench_raw absl::flags absl::flags_parse absl::synchronization
  absl::time Threads::Threads)
framerpc_set_warnings(framerpc_bench_load)

# framerpc_add_load_bench(<name> SOURCES ... LIBS ...): a load-test binary.
function(framerpc_add_load_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE framerpc_bench_load ${ARG_LIBS})
  framerpc_set_warnings(${name})
  add_dependencies(bench_load ${name})
endfunction()

add_custom_target(bench_load)

framerpc_add_load_bench(framerpc_echo_server
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/load/framerpc_echo_server.cc
  LIBS framerpc_echo_service framerpc::rpc)
framerpc_add_load_bench(framerpc_echo_client
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/load/framerpc_echo_client.cc
  LIBS framerpc_echo_proto framerpc::rpc)

add_library(framerpc_bench_raw STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/raw/raw_socket.cc)
target_include_directories(framerpc_bench_raw PUBLIC ${PROJECT_SOURCE_DIR})
framerpc_set_warnings(framerpc_bench_raw)
framerpc_add_load_bench(raw_echo_server
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/raw/raw_echo_server.cc
  LIBS framerpc_bench_raw)
framerpc_add_load_bench(raw_echo_client
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/raw/raw_echo_client.cc
  LIBS framerpc_bench_raw)
