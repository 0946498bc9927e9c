# hostacl's stand-in for the Ascend C kernel toolchain's ascendc.cmake
# (set_env.sh points ASCENDC_CMAKE_DIR here). hostacl has no device
# compiler; it runs simple kernels on the host instead:
#
#   ascendc_library(name STATIC|SHARED sources...) compiles each source as
#   host C++ after two rewrites: a launch `K<<<blockDim, l2ctrl, stream>>>(args);`
#   becomes a host function queued on `stream` that runs K(args) once per
#   block with block_idx set (include/kernel_operator.h), and `asm("trap")`
#   becomes a recorded kernel fault. Kernels written with scalar code over
#   __gm__ pointers (block_idx, GetBlockIdx(), AscendC::printf) run; kernels
#   using Ascend C's vector, queue and pipe classes do not compile.
set(HACL_ASCENDC_INCLUDE ${CMAKE_CURRENT_LIST_DIR}/include)
# this file sits two levels below the install root (tools/ascendc_kernel_cmake)
get_filename_component(HACL_ASCENDC_ROOT ${CMAKE_CURRENT_LIST_DIR}/../.. ABSOLUTE)

function(ascendc_library name type)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/hacl_ascendc/${name})
  set(generated)
  foreach(src ${ARGN})
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(base ${src} NAME)
    get_filename_component(dir ${abs} DIRECTORY)
    file(READ ${abs} text)
    string(REGEX REPLACE "([A-Za-z_][A-Za-z0-9_]*)[ \t]*<<<([^>]*)>>>[ \t]*\\(([^;]*)\\)[ \t]*;"
           "hacl_ascendc_launch(\\2, [=]() { \\1(\\3); });" text "${text}")
    string(REGEX REPLACE "asm[ \t]*\\([ \t]*\"trap\"[ \t]*\\)" "hacl_ascendc_trap()" text "${text}")
    file(WRITE ${out_dir}/${base}.tmp "#line 1 \"${abs}\"\n${text}")
    configure_file(${out_dir}/${base}.tmp ${out_dir}/${base} COPYONLY)
    list(APPEND generated ${out_dir}/${base})
    list(APPEND dirs ${dir})
  endforeach()
  if(type STREQUAL "SHARED")
    add_library(${name} SHARED ${generated})
  else()
    add_library(${name} STATIC ${generated})
  endif()
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE CXX POSITION_INDEPENDENT_CODE ON)
  target_compile_features(${name} PRIVATE cxx_std_17)
  target_include_directories(${name} PRIVATE ${HACL_ASCENDC_INCLUDE} ${HACL_ASCENDC_ROOT}/include ${dirs})
  # what a real kernel library brings along: the runtime
  target_link_libraries(${name} PUBLIC ${HACL_ASCENDC_ROOT}/lib64/libascendcl.so)
endfunction()
function(ascendc_include_directories name)
  target_include_directories(${name} PRIVATE ${ARGN})
endfunction()
function(ascendc_compile_definitions name)
  target_compile_definitions(${name} PRIVATE ${ARGN})
endfunction()
function(ascendc_compile_options)
  # device compiler options: nothing to do on the host
endfunction()
