// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --verify-diagnostics

// MPI counts elements in an int: a buffer of 2^31 elements or more is
// refused, not truncated.
func.func @too_many_elements(%x: tensor<65536x32768xf32>) -> tensor<65536x32768xf32> {
  // expected-error @+2 {{failed to legalize operation 'cotan.all_reduce'}}
  // expected-error @+1 {{'cotan.all_reduce' op would move 2147483648 elements in one MPI call, more than MPI counts (2^31 - 1); split the tensor}}
  %0 = cotan.all_reduce sum %x mesh = [2] axes = [0] : tensor<65536x32768xf32>
  return %0 : tensor<65536x32768xf32>
}

// -----

// Groups along one axis of a 4x2 mesh reduce in 4 slots: the count is
// the operand's elements times the groups.
func.func @too_many_in_slots(%x: tensor<1073741824xf32>) -> tensor<1073741824xf32> {
  // expected-error @+2 {{failed to legalize operation 'cotan.all_reduce'}}
  // expected-error @+1 {{would move 4294967296 elements in one MPI call}}
  %0 = cotan.all_reduce max %x mesh = [4, 2] axes = [1] : tensor<1073741824xf32>
  return %0 : tensor<1073741824xf32>
}
