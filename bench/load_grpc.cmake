# The gRPC side of the closed-loop echo benchmark (see load.cmake): the Echo
# service of proto/echo.proto on gRPC C++'s callback API. Built only when
# gRPC's C++ library (pkg-config grpc++) and grpc_cpp_plugin are installed
# (scripts/bootstrap-bench installs Debian's); otherwise quietly skipped.
# Nothing else in framerpc depends on gRPC.

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(FRAMERPC_BENCH_GRPCPP QUIET IMPORTED_TARGET grpc++)
endif()
find_program(FRAMERPC_GRPC_CPP_PLUGIN grpc_cpp_plugin)
if(NOT FRAMERPC_BENCH_GRPCPP_FOUND OR NOT FRAMERPC_GRPC_CPP_PLUGIN)
  message(STATUS "bench: gRPC C++ not found (pkg-config grpc++, "
                 "grpc_cpp_plugin); the gRPC echo benchmark is not built. "
                 "scripts/bootstrap-bench installs it.")
  return()
endif()
message(STATUS "bench: gRPC C++ ${FRAMERPC_BENCH_GRPCPP_VERSION} found; "
               "building the gRPC echo benchmark")

# Messages and gRPC stubs from the same echo.proto, generated separately
# from framerpc_echo_proto so the gRPC binaries link nothing of framerpc.
set(grpc_gen_dir ${CMAKE_CURRENT_BINARY_DIR}/grpc_gen)
set(grpc_gen_outputs
  ${grpc_gen_dir}/echo.grpc.pb.cc ${grpc_gen_dir}/echo.grpc.pb.h
  ${grpc_gen_dir}/echo.pb.cc ${grpc_gen_dir}/echo.pb.h)
add_custom_command(
  OUTPUT ${grpc_gen_outputs}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${grpc_gen_dir}
  COMMAND protobuf::protoc --cpp_out=${grpc_gen_dir} --grpc_out=${grpc_gen_dir}
          --plugin=protoc-gen-grpc=${FRAMERPC_GRPC_CPP_PLUGIN}
          -I${PROJECT_SOURCE_DIR}/proto ${PROJECT_SOURCE_DIR}/proto/echo.proto
  DEPENDS ${PROJECT_SOURCE_DIR}/proto/echo.proto protobuf::protoc
  COMMENT "Generating gRPC C++ from echo.proto (bench only)"
  VERBATIM)
add_library(framerpc_bench_grpc_echo_proto STATIC
  ${grpc_gen_dir}/echo.grpc.pb.cc ${grpc_gen_dir}/echo.pb.cc)
target_include_directories(framerpc_bench_grpc_echo_proto PUBLIC
  ${grpc_gen_dir})
target_link_libraries(framerpc_bench_grpc_echo_proto PUBLIC
  PkgConfig::FRAMERPC_BENCH_GRPCPP protobuf::libprotobuf)

framerpc_add_load_bench(grpc_echo_server
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/grpc/grpc_echo_server.cc
  LIBS framerpc_bench_grpc_echo_proto)
framerpc_add_load_bench(grpc_echo_client
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/grpc/grpc_echo_client.cc
  LIBS framerpc_bench_grpc_echo_proto)
