// RUN: cotan-opt %s --split-input-file | cotan-opt --split-input-file | FileCheck %s

// Collectives round-trip; all_gather, reduce_scatter and all_to_all infer
// their result shapes from the group size (the product of the mesh sizes
// along `axes`).
// CHECK-LABEL: func.func @collectives
// CHECK: cotan.all_reduce sum %{{.*}} mesh = [4] axes = [0] : tensor<3xf32>
// CHECK: cotan.all_reduce max %{{.*}} mesh = [2, 3] axes = [1, 0] : tensor<i32>
// CHECK: cotan.all_gather %{{.*}} dim = 1 mesh = [2, 3] axes = [1] : tensor<2x3xf64> -> tensor<2x9xf64>
// CHECK: cotan.reduce_scatter %{{.*}} dim = 0 mesh = [2, 3] axes = [0, 1] : tensor<12x3xf32> -> tensor<2x3xf32>
// CHECK: cotan.all_to_all %{{.*}} split = 0 concat = 1 mesh = [2] axes = [0] : tensor<4x3xi64> -> tensor<2x6xi64>
// CHECK: cotan.collective_broadcast %{{.*}} root = 3 mesh = [4] axes = [0] : tensor<3xf32>
// CHECK: cotan.axis_index mesh = [2, 3] axes = [1] : tensor<i32>
func.func @collectives(%a: tensor<3xf32>, %b: tensor<i32>, %c: tensor<2x3xf64>,
                       %d: tensor<12x3xf32>, %e: tensor<4x3xi64>) {
  %0 = cotan.all_reduce sum %a mesh = [4] axes = [0] : tensor<3xf32>
  %1 = cotan.all_reduce max %b mesh = [2, 3] axes = [1, 0] : tensor<i32>
  %2 = "cotan.all_gather"(%c) <{dimension = 1 : i64, mesh = array<i64: 2, 3>, axes = array<i64: 1>}> : (tensor<2x3xf64>) -> tensor<2x9xf64>
  %3 = cotan.reduce_scatter %d dim = 0 mesh = [2, 3] axes = [0, 1] : tensor<12x3xf32> -> tensor<2x3xf32>
  %4 = cotan.all_to_all %e split = 0 concat = 1 mesh = [2] axes = [0] : tensor<4x3xi64> -> tensor<2x6xi64>
  %5 = cotan.collective_broadcast %a root = 3 mesh = [4] axes = [0] : tensor<3xf32>
  %6 = cotan.axis_index mesh = [2, 3] axes = [1] : tensor<i32>
  return
}
