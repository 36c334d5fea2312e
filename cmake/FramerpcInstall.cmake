# Install rules and the CMake package: `cmake --install <build>` installs
# framerpc's libraries, public headers, protoc-gen-framerpc and the package
# files, so that another project can do
#
#   find_package(framerpc REQUIRED)
#   framerpc_generate(my_proto PROTOS my.proto)
#   target_link_libraries(my_app PRIVATE my_proto)   # framerpc::rpc comes along
#
# Layout under the prefix:
#   include/framerpc/{base,transport,rpc}/*.h   #include "rpc/channel.h"
#   include/framerpc/framerpc/wire.pb.h         #include "framerpc/wire.pb.h"
#   lib/libframerpc_*.a, bin/protoc-gen-framerpc
#   lib/cmake/framerpc/   framerpc-config.cmake, -config-version.cmake,
#                         framerpc-targets.cmake, FramerpcGenerate.cmake
#
# Included at the end of the top-level CMakeLists.txt, once every target
# exists; targets that do not exist (yet) are skipped.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FRAMERPC_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}/framerpc")
set(FRAMERPC_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/framerpc")

# Targets and the names they are exported under (framerpc::<name>).
set(framerpc_installed_targets "")
foreach(pair IN ITEMS framerpc_base:base framerpc_transport:transport
                      framerpc_wire_proto:wire_proto framerpc_rpc:rpc
                      protoc-gen-framerpc:protoc-gen-framerpc)
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 target)
  list(GET pair 1 export_name)
  if(TARGET ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
    list(APPEND framerpc_installed_targets ${target})
  endif()
endforeach()

install(TARGETS ${framerpc_installed_targets}
  EXPORT framerpc-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Public headers, with the same relative paths as in the source tree.
foreach(dir base transport rpc)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
    DESTINATION ${FRAMERPC_INSTALL_INCLUDEDIR}/${dir}
    FILES_MATCHING PATTERN "*.h"
    PATTERN codegen EXCLUDE)
endforeach()
if(TARGET framerpc_wire_proto)
  get_target_property(wire_headers framerpc_wire_proto
                      FRAMERPC_GENERATED_HEADERS)
  install(FILES ${wire_headers}
    DESTINATION ${FRAMERPC_INSTALL_INCLUDEDIR}/framerpc)
endif()

install(EXPORT framerpc-targets
  NAMESPACE framerpc::
  FILE framerpc-targets.cmake
  DESTINATION ${FRAMERPC_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/framerpc-config.cmake.in
  ${PROJECT_BINARY_DIR}/framerpc-config.cmake
  INSTALL_DESTINATION ${FRAMERPC_INSTALL_CMAKEDIR})
# 0.x releases: only the same minor version is compatible.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/framerpc-config-version.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/framerpc-config.cmake
  ${PROJECT_BINARY_DIR}/framerpc-config-version.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FramerpcGenerate.cmake
  DESTINATION ${FRAMERPC_INSTALL_CMAKEDIR})
