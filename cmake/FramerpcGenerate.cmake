# framerpc_generate(): generates C++ from .proto files with protoc and
# protoc-gen-framerpc, and builds the result into a library.
#
#   framerpc_generate(<target>
#                     PROTOS a.proto [sub/b.proto ...]
#                     [IMPORT_DIRS dir ...]
#                     [DEPENDS generated_target ...]
#                     [NO_RUNTIME])
#
# For every .proto it writes, into ${CMAKE_CURRENT_BINARY_DIR} and under the
# .proto's path relative to the first import dir, protoc's a.pb.h/.pb.cc and
# framerpc's a.framerpc.h/.framerpc.cc (client stub and service base class
# of each service). <target> is a library of those sources; linking it
# gives the include dir (so `#include "sub/b.framerpc.h"` works), protobuf
# and the framerpc runtime (framerpc::rpc).
#
#   PROTOS       the .proto files, relative to ${CMAKE_CURRENT_SOURCE_DIR} or
#                absolute. Each must lie under the first import dir.
#   IMPORT_DIRS  where protoc looks for the PROTOS and their imports (-I),
#                relative to ${CMAKE_CURRENT_SOURCE_DIR} or absolute.
#                Default: ${CMAKE_CURRENT_SOURCE_DIR}.
#   DEPENDS      libraries made by other framerpc_generate() calls whose
#                .proto files these import: linked PUBLIC, and their import
#                dirs are searched too.
#   NO_RUNTIME   messages only: runs protoc's C++ generator alone and does
#                not link framerpc::rpc. For the runtime's own wire messages,
#                and for any library of plain messages.
#
# Example:
#   find_package(framerpc REQUIRED)
#   framerpc_generate(dict_proto PROTOS dict/v1/translate.proto)
#   target_link_libraries(dict_server PRIVATE dict_proto)
#
# Works in framerpc's own tree and from an installed package (where the
# plugin is the imported target framerpc::protoc-gen-framerpc). Needs
# protoc: find_package(Protobuf) must have run (framerpc's package
# configuration file does it).

include_guard(GLOBAL)

function(framerpc_generate target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_RUNTIME" ""
                        "PROTOS;IMPORT_DIRS;DEPENDS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "framerpc_generate(${target}): unexpected arguments "
                        "'${ARG_UNPARSED_ARGUMENTS}'")
  endif()
  if(NOT ARG_PROTOS)
    message(FATAL_ERROR "framerpc_generate(${target}): no PROTOS given")
  endif()
  if(NOT TARGET protobuf::protoc)
    message(FATAL_ERROR "framerpc_generate(${target}): protoc not found; "
                        "call find_package(Protobuf REQUIRED) first")
  endif()
  if(NOT ARG_NO_RUNTIME AND NOT TARGET framerpc::protoc-gen-framerpc)
    message(FATAL_ERROR "framerpc_generate(${target}): the target "
                        "framerpc::protoc-gen-framerpc does not exist; "
                        "use find_package(framerpc) or add framerpc's tree "
                        "before this call")
  endif()

  # Import dirs: ours first (the first one is the root of the output paths),
  # then those of the libraries we depend on, then protobuf's own (for
  # google/protobuf/*.proto).
  set(import_dirs "")
  foreach(dir IN LISTS ARG_IMPORT_DIRS)
    cmake_path(ABSOLUTE_PATH dir BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
               NORMALIZE)
    list(APPEND import_dirs "${dir}")
  endforeach()
  if(NOT import_dirs)
    set(import_dirs "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  list(GET import_dirs 0 root)
  set(search_dirs ${import_dirs})
  foreach(dep IN LISTS ARG_DEPENDS)
    if(NOT TARGET ${dep})
      message(FATAL_ERROR "framerpc_generate(${target}): DEPENDS names "
                          "'${dep}', which is not a target")
    endif()
    get_target_property(dep_dirs ${dep} FRAMERPC_PROTO_IMPORT_DIRS)
    if(dep_dirs)
      list(APPEND search_dirs ${dep_dirs})
    endif()
  endforeach()
  list(APPEND search_dirs ${Protobuf_INCLUDE_DIRS})
  list(REMOVE_DUPLICATES search_dirs)
  set(include_flags "")
  foreach(dir IN LISTS search_dirs)
    list(APPEND include_flags "-I${dir}")
  endforeach()

  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}")
  set(protoc_flags "--cpp_out=${out_dir}")
  set(plugin_dependency "")
  if(NOT ARG_NO_RUNTIME)
    list(APPEND protoc_flags
         "--plugin=protoc-gen-framerpc=$<TARGET_FILE:framerpc::protoc-gen-framerpc>"
         "--framerpc_out=${out_dir}")
    set(plugin_dependency framerpc::protoc-gen-framerpc)
  endif()

  set(sources "")
  set(headers "")
  foreach(proto IN LISTS ARG_PROTOS)
    cmake_path(ABSOLUTE_PATH proto BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
               NORMALIZE OUTPUT_VARIABLE proto_path)
    cmake_path(IS_PREFIX root "${proto_path}" NORMALIZE under_root)
    if(NOT under_root)
      message(FATAL_ERROR "framerpc_generate(${target}): ${proto_path} is "
                          "not under the first import dir ${root}")
    endif()
    cmake_path(RELATIVE_PATH proto_path BASE_DIRECTORY "${root}"
               OUTPUT_VARIABLE relative)
    string(REGEX REPLACE "\\.proto$" "" stem "${relative}")
    set(outputs "${out_dir}/${stem}.pb.h" "${out_dir}/${stem}.pb.cc")
    if(NOT ARG_NO_RUNTIME)
      list(APPEND outputs "${out_dir}/${stem}.framerpc.h"
                          "${out_dir}/${stem}.framerpc.cc")
    endif()
    # protoc's dependency file names the outputs in sorted order, and Ninja
    # only trusts a dependency file whose first target is the rule's first
    # output: without the sort every build would generate again.
    list(SORT outputs)
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND protobuf::protoc ${protoc_flags} ${include_flags}
              "--dependency_out=${out_dir}/${stem}.proto.d" "${proto_path}"
      DEPENDS "${proto_path}" protobuf::protoc ${plugin_dependency}
      DEPFILE "${out_dir}/${stem}.proto.d"
      COMMENT "Generating C++ from ${relative}"
      VERBATIM)
    list(FILTER outputs INCLUDE REGEX "\\.cc$")
    list(APPEND sources ${outputs})
    list(APPEND headers "${out_dir}/${stem}.pb.h")
    if(NOT ARG_NO_RUNTIME)
      list(APPEND headers "${out_dir}/${stem}.framerpc.h")
    endif()
  endforeach()

  add_library(${target} ${sources} ${headers})
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${out_dir}>")
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf ${ARG_DEPENDS})
  if(NOT ARG_NO_RUNTIME)
    target_link_libraries(${target} PUBLIC framerpc::rpc)
  endif()
  set_target_properties(${target} PROPERTIES
    FRAMERPC_PROTO_IMPORT_DIRS "${import_dirs}"
    FRAMERPC_GENERATED_HEADERS "${headers}")
  # Inside framerpc's own tree the generated code is held to the project's
  # warnings (protobuf's generated code passes them all, checked with
  # protobuf 3.21); elsewhere it gets the user's own flags.
  if(COMMAND framerpc_set_warnings AND DEFINED framerpc_SOURCE_DIR)
    cmake_path(IS_PREFIX framerpc_SOURCE_DIR "${CMAKE_CURRENT_SOURCE_DIR}"
               NORMALIZE in_framerpc)
    if(in_framerpc)
      framerpc_set_warnings(${target})
    endif()
  endif()
endfunction()
