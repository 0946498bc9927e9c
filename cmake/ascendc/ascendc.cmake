# hostacl's stand-in for the Ascend C kernel toolchain's ascendc.cmake (set_env.sh
# points ASCENDC_CMAKE_DIR here). hostacl has no device compiler: a kernel
# library declared with ascendc_library() builds as an empty library, so
# programs that only include this file, or link such a library without
# launching its kernels, build and run; a program that launches the kernels
# fails at link time with the kernels' names undefined.
function(ascendc_library name type)
  message(WARNING "hostacl: ascendc_library(${name}) builds no Ascend C device code; "
                  "programs that launch its kernels will not link")
  add_library(${name} INTERFACE)
  # what a real kernel library brings along: the runtime
  target_link_libraries(${name} INTERFACE ascendcl)
endfunction()
function(ascendc_include_directories)
endfunction()
function(ascendc_compile_definitions)
endfunction()
function(ascendc_compile_options)
endfunction()
