# Installing Staleline: `cmake --install build --prefix P` gives a relocatable tree
#   P/bin/staleline
#   P/lib/staleline/{drivers,devices,workloads}/*.so   modules (found next to the binary)
#   P/include/{zircon,ddk,hw,staleline}/                the driver, device and workload APIs
#   P/include/staleline/rtl/bridge/                     the pin-level core RTL device modules build in
#   P/lib/cmake/Staleline/                              find_package(Staleline): staleline_add_driver/
#                                                       _device/_device_model/_workload
#   P/lib/pkgconfig/staleline.pc
#   P/share/doc/staleline/
# and `cpack -G DEB` a Debian package of it. docs/install.md is the user's guide.
include(GNUInstallDirs)
# Modules and the CMake package always go to lib/ (not a multiarch lib/<triplet>/): the binary
# finds its modules at <bin>/../lib/staleline.
include(CMakePackageConfigHelpers)

set(STALELINE_INSTALL_CMAKEDIR lib/cmake/Staleline)

# staleline_install_module(TARGET drivers|devices|workloads): ship a module built in the tree.
function(staleline_install_module target kind)
  install(TARGETS ${target} LIBRARY DESTINATION lib/staleline/${kind})
endfunction()

function(staleline_install_rules)
  install(TARGETS staleline_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/driver/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(FILES ${CMAKE_SOURCE_DIR}/model/include/staleline/device.h
                ${CMAKE_SOURCE_DIR}/model/include/staleline/modules.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/staleline)
  install(FILES ${CMAKE_SOURCE_DIR}/bridge/RtlCoreT.h ${CMAKE_SOURCE_DIR}/bridge/RtlModel.h
                ${CMAKE_SOURCE_DIR}/bridge/Axi4PinSlave.h ${CMAKE_SOURCE_DIR}/bridge/AxiLitePinMaster.h
                ${CMAKE_SOURCE_DIR}/bridge/AxiBurst.h ${CMAKE_SOURCE_DIR}/bridge/AxiLiteAccess.h
                ${CMAKE_SOURCE_DIR}/bridge/ClockDomain.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/staleline/rtl/bridge)
  install(FILES ${CMAKE_SOURCE_DIR}/cmake/StalelineDriver.cmake ${CMAKE_SOURCE_DIR}/cmake/StalelineDevice.cmake
                ${CMAKE_SOURCE_DIR}/cmake/StalelineTestbench.cmake ${CMAKE_SOURCE_DIR}/cmake/StalelineTestbenchDiscover.cmake
                ${CMAKE_SOURCE_DIR}/cmake/device_entry.cpp.in ${CMAKE_SOURCE_DIR}/cmake/device_exports.map
          DESTINATION ${STALELINE_INSTALL_CMAKEDIR})
  configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/StalelineConfig.cmake.in
    ${CMAKE_BINARY_DIR}/StalelineConfig.cmake INSTALL_DESTINATION ${STALELINE_INSTALL_CMAKEDIR})
  write_basic_package_version_file(${CMAKE_BINARY_DIR}/StalelineConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES ${CMAKE_BINARY_DIR}/StalelineConfig.cmake ${CMAKE_BINARY_DIR}/StalelineConfigVersion.cmake
          DESTINATION ${STALELINE_INSTALL_CMAKEDIR})
  configure_file(${CMAKE_SOURCE_DIR}/cmake/staleline.pc.in ${CMAKE_BINARY_DIR}/staleline.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/staleline.pc DESTINATION lib/pkgconfig)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} PATTERN "*.sh" EXCLUDE
          PATTERN "*.py" EXCLUDE)
  install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

  # The Debian package: runtime libraries from the binary's own dependencies (dpkg-shlibdeps),
  # plus what building drivers and devices against it needs.
  set(CPACK_PACKAGE_NAME staleline)
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_PACKAGE_CONTACT "Staleline developers <staleline@localhost>")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "finds DMA cache-coherency bugs in device drivers before the hardware exists")
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "gcc, cmake, make, pkg-config, libcunit1-dev, libjansson-dev")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "verilator, libsystemc-dev")
  set(CPACK_DEBIAN_PACKAGE_SECTION devel)
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  include(CPack)
endfunction()
