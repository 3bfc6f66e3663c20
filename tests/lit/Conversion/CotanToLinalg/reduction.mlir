// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg | FileCheck %s
// Reductions start from the combiner's identity; argmax/argmin carry the
// running extreme and its index.

// CHECK-LABEL: func.func @reduce_sum
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: linalg.reduce ins(%{{.*}} : tensor<2x3xf32>) outs(%[[INIT]] : tensor<3xf32>) dimensions = [0]
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
func.func @reduce_sum(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  %0 = cotan.reduce_sum %x dims = [0] : tensor<2x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Half-precision reductions accumulate in f32.
// CHECK-LABEL: func.func @reduce_prod_bf16
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: linalg.reduce ins(%{{.*}} : tensor<4xbf16>) outs(%{{.*}} : tensor<f32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.mulf
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @reduce_prod_bf16(%x: tensor<4xbf16>) -> tensor<bf16> {
  %0 = cotan.reduce_prod %x dims = [0] : tensor<4xbf16> -> tensor<bf16>
  return %0 : tensor<bf16>
}

// -----

// CHECK-LABEL: func.func @reduce_max_min
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: arith.constant -2147483648 : i32
// CHECK: arith.maxsi
// CHECK: arith.constant 2147483647 : i32
// CHECK: arith.minsi
func.func @reduce_max_min(%x: tensor<2x3xf32>, %i: tensor<5xi32>) -> (tensor<f32>, tensor<i32>, tensor<i32>) {
  %0 = cotan.reduce_max %x dims = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  %1 = cotan.reduce_max %i dims = [0] : tensor<5xi32> -> tensor<i32>
  %2 = cotan.reduce_min %i dims = [0] : tensor<5xi32> -> tensor<i32>
  return %0, %1, %2 : tensor<f32>, tensor<i32>, tensor<i32>
}

// -----

// any/all on booleans: or/and starting from false/true, stored as bytes.
// CHECK-LABEL: func.func @reduce_bool
// CHECK: %[[T:.*]] = arith.constant true
// CHECK: %[[T8:.*]] = arith.extui %[[T]] : i1 to i8
// CHECK: linalg.fill ins(%[[T8]] : i8)
// CHECK: linalg.reduce ins(%{{.*}} : tensor<4xi8>) outs(%{{.*}} : tensor<i8>)
// CHECK: arith.andi %{{.*}} : i1
// CHECK: %[[F:.*]] = arith.constant false
// CHECK: arith.ori %{{.*}} : i1
// CHECK: return %{{.*}}, %{{.*}} : tensor<i8>, tensor<i8>
func.func @reduce_bool(%b: tensor<4xi1>) -> (tensor<i1>, tensor<i1>) {
  %0 = cotan.reduce_min %b dims = [0] : tensor<4xi1> -> tensor<i1>
  %1 = cotan.reduce_max %b dims = [0] : tensor<4xi1> -> tensor<i1>
  return %0, %1 : tensor<i1>, tensor<i1>
}

// -----

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @argmax
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<2x3xf16>) outs(%{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xi64>)
// CHECK: %[[GT:.*]] = arith.cmpf ogt
// CHECK: %[[NAN:.*]] = arith.cmpf uno
// CHECK: %[[NUM:.*]] = arith.cmpf ord
// CHECK: linalg.index 1 : index
// CHECK: return %[[R]]#1
func.func @argmax(%x: tensor<2x3xf16>) -> tensor<2xi64> {
  %0 = cotan.argmax %x dim = 1 : tensor<2x3xf16> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @argmin
// CHECK: arith.constant 2147483647 : i32
// CHECK: iterator_types = ["reduction", "parallel"]
// CHECK: arith.cmpi slt
func.func @argmin(%x: tensor<2x3xi32>) -> tensor<3xi32> {
  %0 = cotan.argmin %x dim = 0 : tensor<2x3xi32> -> tensor<3xi32>
  return %0 : tensor<3xi32>
}
