# CANN's install layout on top of hostacl's (see cmake/set_env.sh.in): what
# applications built for CANN 8 find with ASCEND_INSTALL_PATH, and what
# older ones find with DDK_PATH / NPU_HOST_LIB. Links, made at install time,
# all to the one runtime library.
if(NOT DEFINED HACL_PYTHON_INSTALL_DIR)
  set(HACL_PYTHON_INSTALL_DIR lib/python3/dist-packages)
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/set_env.sh.in ${CMAKE_BINARY_DIR}/set_env.sh @ONLY)
install(PROGRAMS ${CMAKE_BINARY_DIR}/set_env.sh DESTINATION .)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/ascendc/ascendc.cmake DESTINATION tools/ascendc_kernel_cmake)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/ascendc/include/kernel_operator.h DESTINATION tools/ascendc_kernel_cmake/include)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/ascendc/include/kernel_operator.h DESTINATION tikcpp/ascendc_kernel_cmake/include)
# where CANN's own sample scripts look for it (set_sample_env.sh)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/ascendc/ascendc.cmake DESTINATION tikcpp/ascendc_kernel_cmake)
install(PROGRAMS ${CMAKE_BINARY_DIR}/set_env.sh DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME setenv.bash)
install(CODE "
  set(root \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
  set(lib \"${CMAKE_INSTALL_LIBDIR}\")
  file(MAKE_DIRECTORY \"\${root}/lib64\" \"\${root}/runtime/lib64/stub\")
  # libacl_tdt_channel: TDT channels live in the one runtime too
  # libacl_dvpp, libacl_op_compiler, libacl_cblas: names sample build files
  # link; the one runtime answers for them (what it does not implement yet
  # is not declared by its headers)
  # libmsprofiler, libprofapi: profiling (acl_prof.h) lives in the one runtime
  # libacl_rt_impl: newer CANN splits the runtime's implementation out
  set(names libacl_rt.so libacl_rt_impl.so libascendcl.so libascendcl.so.0 libacl_tdt_channel.so libacl_tdt_queue.so
      libacl_op_compiler.so libacl_cblas.so libmsprofiler.so libprofapi.so)
  foreach(name \${names})
    file(CREATE_LINK \"../\${lib}/libascendcl.so.0\" \"\${root}/lib64/\${name}\" SYMBOLIC)
  endforeach()
  foreach(name \${names})
    file(CREATE_LINK \"../../\${lib}/libascendcl.so.0\" \"\${root}/runtime/lib64/\${name}\" SYMBOLIC)
    file(CREATE_LINK \"../../../\${lib}/libascendcl.so.0\" \"\${root}/runtime/lib64/stub/\${name}\" SYMBOLIC)
  endforeach()
  # DVPP is a library of its own, and securec is as CANN ships it; a
  # program linked against them needs their .so.0 name where it finds
  # libraries (samples put only runtime/lib64 on LD_LIBRARY_PATH)
  foreach(own libacl_dvpp libc_sec)
    foreach(name \${own}.so \${own}.so.0)
      file(CREATE_LINK \"../\${lib}/\${own}.so.0\" \"\${root}/lib64/\${name}\" SYMBOLIC)
      file(CREATE_LINK \"../../\${lib}/\${own}.so.0\" \"\${root}/runtime/lib64/\${name}\" SYMBOLIC)
      file(CREATE_LINK \"../../../\${lib}/\${own}.so.0\" \"\${root}/runtime/lib64/stub/\${name}\" SYMBOLIC)
    endforeach()
  endforeach()
  file(CREATE_LINK \"../include\" \"\${root}/runtime/include\" SYMBOLIC)
")
