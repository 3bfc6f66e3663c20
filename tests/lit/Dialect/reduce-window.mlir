// RUN: cotan-opt %s --split-input-file | cotan-opt --split-input-file | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-expand-autodiff --convert-cotan-to-linalg --canonicalize | FileCheck %s --check-prefix=LOWER
// RUN: cotan-opt %s --split-input-file --cotan-expand-autodiff --canonicalize | FileCheck %s --check-prefix=GRAD

// CHECK-LABEL: func.func @max_pool
// CHECK: cotan.reduce_window max %arg0 window = [1, 2, 2] strides = [1, 2, 2] pad = ([0, 0, 1], [0, 0, 1]) : tensor<3x4x5xf32> -> tensor<3x2x3xf32>
// One strided slice per window offset, combined elementwise.
// LOWER-LABEL: func.func @max_pool
// LOWER: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// LOWER: linalg.fill ins(%[[NEG_INF]] : f32)
// LOWER-COUNT-4: tensor.extract_slice %{{.*}} [3, 2, 3] [1, 2, 2]
// LOWER-COUNT-3: arith.maximumf
func.func @max_pool(%x: tensor<3x4x5xf32>) -> tensor<3x2x3xf32> {
  %0 = cotan.reduce_window max %x window = [1, 2, 2] strides = [1, 2, 2] pad = ([0, 0, 1], [0, 0, 1]) : tensor<3x4x5xf32> -> tensor<3x2x3xf32>
  return %0 : tensor<3x2x3xf32>
}

// -----

// The cotangent of a window sum goes back through each offset: padded
// with the stride as interior padding, then summed.
// GRAD-LABEL: func.func private @pool_vjp
// GRAD-COUNT-2: cotan.pad %arg1, %{{.*}} low = [{{.*}}] high = [{{.*}}] interior = [1]
// GRAD: cotan.add
func.func private @pool(%x: tensor<6xf32>) -> tensor<3xf32> {
  %0 = cotan.reduce_window sum %x window = [2] strides = [2] pad = ([0], [0]) : tensor<6xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @grad(%x: tensor<6xf32>, %ct: tensor<3xf32>) -> (tensor<3xf32>, tensor<6xf32>) {
  %r:2 = cotan.vjp @pool(%x) cotangents(%ct) : (tensor<6xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<6xf32>)
  return %r#0, %r#1 : tensor<3xf32>, tensor<6xf32>
}

// -----

// A dynamic dimension (the batch) takes window 1 and stays dynamic.
// CHECK-LABEL: func.func @pool_dynamic_batch
// CHECK: cotan.reduce_window max %arg0 window = [1, 2] strides = [1, 2] pad = ([0, 0], [0, 0]) : tensor<?x4xf32> -> tensor<?x2xf32>
func.func @pool_dynamic_batch(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %0 = cotan.reduce_window max %x window = [1, 2] strides = [1, 2] pad = ([0, 0], [0, 0]) : tensor<?x4xf32> -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
