# Proves that the module boundaries hold in the build (run by ctest):
#  - a module's include root refuses another module's internals it may not
#    use (runtime -> model, runtime -> pipeline, device -> runtime,
#    model -> pipeline, pipeline -> model);
#  - the same probe compiles where the edge is allowed (model -> runtime,
#    runtime -> device), so a failure above is the boundary, not the probe;
#  - no source reaches around its root with a relative "../" include.
# Inputs: CC, MODINC, SRC.
function(probe root header expect)
  set(file ${CMAKE_CURRENT_BINARY_DIR}/probe_${root}.c)
  # Visibility, not compilability: the probe asks the preprocessor.
  file(WRITE ${file} "#if !__has_include(\"${header}\")\n#error not visible\n#endif\n")
  execute_process(COMMAND ${CC} -E -I${MODINC}/${root} ${file}
                  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(expect STREQUAL "refused" AND rc EQUAL 0)
    message(FATAL_ERROR "module '${root}' can include ${header}: the boundary is open")
  elseif(expect STREQUAL "allowed" AND NOT rc EQUAL 0)
    message(FATAL_ERROR "module '${root}' cannot include ${header}, which it may use:\n${err}")
  endif()
  message(STATUS "${root} -> ${header}: ${expect}")
endfunction()

probe(runtime model/model.h refused)
probe(runtime pipeline/pipeline.c refused)
probe(runtime mempool/mempool.c refused)
probe(device runtime/runtime.h refused)
probe(device model/model.h refused)
probe(model pipeline/pipeline.c refused)
probe(pipeline model/model.h refused)
probe(mempool model/model.h refused)
probe(model runtime/runtime.h allowed)
probe(runtime device/scheduler.h allowed)
probe(pipeline runtime/runtime.h allowed)
probe(public runtime/runtime.h refused)
probe(public acl/acl.h allowed)

foreach(dir device runtime model mempool pipeline)
  file(GLOB sources ${SRC}/${dir}/*.c ${SRC}/${dir}/*.h)
  foreach(f ${sources})
    file(STRINGS ${f} bad REGEX "^[ \t]*#[ \t]*include[ \t]*\"\\.\\./")
    if(bad)
      message(FATAL_ERROR "${f} includes around its module root: ${bad}")
    endif()
  endforeach()
endforeach()
