// Requests of both kinds nest: per-example gradients are a vmap of a vjp.
// RUN: cotan-opt %s --cotan-expand-transforms | FileCheck %s
// RUN: not cotan-opt %s --cotan-vmap 2>&1 | FileCheck %s --check-prefix=ALONE

// CHECK-LABEL: func.func @per_example
// CHECK: call @grad_sq_vmap
// CHECK-LABEL: func.func private @sq_vjp
// CHECK-LABEL: func.func private @grad_sq_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK-NOT: call
// CHECK: cotan.mul %{{.*}} : tensor<4x3xf32>
// ALONE: error: 'cotan.vmap' op transforms a function holding requests this pass does not expand; run cotan-expand-transforms
func.func private @sq(%x: tensor<3xf32>) -> tensor<f32> {
  %0 = cotan.mul %x, %x : tensor<3xf32>
  %1 = cotan.reduce_sum %0 dims = [0] : tensor<3xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
func.func private @grad_sq(%x: tensor<3xf32>) -> tensor<3xf32> {
  %one = cotan.constant dense<1.0> : tensor<f32>
  %r:2 = cotan.vjp @sq(%x) cotangents(%one) : (tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}
func.func @per_example(%xs: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %r = cotan.vmap @grad_sq(%xs) batched = [true] : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
