// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg | FileCheck %s
// dot_general is one generic: loops are batch, lhs free, contracting, then
// rhs free, so the innermost loop walks rhs rows and the result
// contiguously.

// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmul
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: %[[M:.*]] = arith.mulf
// CHECK: arith.addf %{{.*}}, %[[M]]
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A matrix-vector product has no rhs free dimension: the contraction is
// innermost.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @batched_matvec_i32
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.muli
// CHECK: arith.addi
func.func @batched_matvec_i32(%c: tensor<5x2x3xi32>, %d: tensor<5x3xi32>) -> tensor<5x2xi32> {
  %0 = cotan.dot_general %c, %d {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x3xi32>, tensor<5x3xi32>) -> tensor<5x2xi32>
  return %0 : tensor<5x2xi32>
}

// -----

// Dot products of f16 accumulate in f32.
// CHECK-LABEL: func.func @dot_f16
// CHECK: outs(%{{.*}} : tensor<f32>)
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @dot_f16(%a: tensor<8xf16>, %b: tensor<8xf16>) -> tensor<f16> {
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8xf16>, tensor<8xf16>) -> tensor<f16>
  return %0 : tensor<f16>
}
