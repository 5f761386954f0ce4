# Included through -DCMAKE_PROJECT_INCLUDE when building emo_perception_msgs against the
# ROS 2 Jazzy wheels from the package index (no ROS install). The wheels' exported CMake
# targets still name include directories of the machine that built them
# (/opt/python/cp3XX-...), which do not exist here, and CMake refuses to generate.
# At the end of configure, drop those paths from every imported target.
function(_emo_strip_wheel_includes)
  get_property(_dirs DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY IMPORTED_TARGETS)
  foreach(_target IN LISTS _dirs)
    get_target_property(_incs ${_target} INTERFACE_INCLUDE_DIRECTORIES)
    if(_incs)
      list(FILTER _incs EXCLUDE REGEX "^/opt/python/")
      set_target_properties(${_target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_incs}")
    endif()
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _emo_strip_wheel_includes)
