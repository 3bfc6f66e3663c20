// cotan-opt reports malformed input as diagnostics and exits non-zero; it
// never aborts.
// RUN: not cotan-opt %s --split-input-file 2>&1 | FileCheck %s

// CHECK: error: custom op 'cotan.frobnicate' is unknown
func.func @unknown_op(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.frobnicate %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK: error: expected ':'
func.func @truncated(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.exp %x
}

// -----

// CHECK: error: 'cotan.add' op all non-scalar operands/results must have the same shape
func.func @mismatched(%x: tensor<3xf32>, %y: tensor<4xf32>) -> tensor<3xf32> {
  %0 = "cotan.add"(%x, %y) : (tensor<3xf32>, tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK: error: 'cotan.transpose' op requires attribute 'permutation'
func.func @missing_attribute(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = "cotan.transpose"(%x) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK: error: 'cotan.reduce_sum' op requires attribute 'dimensions'
func.func @missing_dims(%x: tensor<2x3xf32>) -> tensor<f32> {
  %0 = "cotan.reduce_sum"(%x) : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
