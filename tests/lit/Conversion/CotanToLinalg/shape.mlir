// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg | FileCheck %s
// Data movement: views and slices where possible, generics otherwise.

// CHECK-LABEL: func.func @constant_bool
// CHECK: arith.constant dense<[1, 0]> : tensor<2xi8>
func.func @constant_bool() -> tensor<2xi1> {
  %0 = cotan.constant dense<[true, false]> : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// CHECK: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @iota
// CHECK: linalg.generic {indexing_maps = [#[[ID]]], iterator_types = ["parallel", "parallel"]} outs(
// CHECK: %[[I:.*]] = linalg.index 1 : index
// CHECK: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK: arith.sitofp %[[I64]] : i64 to f32
func.func @iota() -> tensor<2x3xf32> {
  %0 = cotan.iota dim = 1 : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Size-1 dimensions that expand read index 0.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (0, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast_in_dim
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<1x3xf32>) outs(%{{.*}} : tensor<4x2x3xf32>)
func.func @broadcast_in_dim(%x: tensor<1x3xf32>) -> tensor<4x2x3xf32> {
  %0 = cotan.broadcast_in_dim %x dims = [1, 2] : tensor<1x3xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2]] output_shape [3, 1, 2] : tensor<6xf32> into tensor<3x1x2xf32>
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
// CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1x1xf32> into tensor<f32>
func.func @reshape(%x: tensor<2x3xf32>, %s: tensor<f32>, %u: tensor<1x1xf32>) -> (tensor<3x1x2xf32>, tensor<1x1xf32>, tensor<f32>) {
  %0 = cotan.reshape %x : tensor<2x3xf32> -> tensor<3x1x2xf32>
  %1 = cotan.reshape %s : tensor<f32> -> tensor<1x1xf32>
  %2 = cotan.reshape %u : tensor<1x1xf32> -> tensor<f32>
  return %0, %1, %2 : tensor<3x1x2xf32>, tensor<1x1xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = cotan.transpose %x perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK: tensor.extract_slice %{{.*}}[1, 0] [2, 2] [2, 3] : tensor<5x4xf32> to tensor<2x2xf32>
func.func @slice(%x: tensor<5x4xf32>) -> tensor<2x2xf32> {
  %0 = cotan.slice %x start = [1, 0] limit = [4, 4] strides = [2, 3] : tensor<5x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// A result without elements needs no computation.
// CHECK-LABEL: func.func @empty_result
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<0x3xf32>
// CHECK-NEXT: return %[[E]]
func.func @empty_result(%x: tensor<2x3xf32>) -> tensor<0x3xf32> {
  %0 = cotan.slice %x start = [0, 0] limit = [0, 3] strides = [1, 1] : tensor<2x3xf32> -> tensor<0x3xf32>
  return %0 : tensor<0x3xf32>
}

// -----

// CHECK-LABEL: func.func @concatenate
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x5xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, 3] [2, 2] [1, 1]
func.func @concatenate(%x: tensor<2x3xf32>, %y: tensor<2x2xf32>, %z: tensor<2x0xf32>) -> tensor<2x5xf32> {
  %0 = cotan.concatenate %x, %z, %y dim = 1 : (tensor<2x3xf32>, tensor<2x0xf32>, tensor<2x2xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Interior padding is the stride of the insertion.
// CHECK-LABEL: func.func @pad
// CHECK: %[[V:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
// CHECK: %[[F:.*]] = linalg.fill ins(%[[V]] : f32) outs(%{{.*}} : tensor<9xf32>)
// CHECK: tensor.insert_slice %{{.*}} into %[[F]][1] [3] [3] : tensor<3xf32> into tensor<9xf32>
func.func @pad(%x: tensor<3xf32>, %p: tensor<f32>) -> tensor<9xf32> {
  %0 = cotan.pad %x, %p low = [1] high = [1] interior = [2] : (tensor<3xf32>, tensor<f32>) -> tensor<9xf32>
  return %0 : tensor<9xf32>
}

// -----

// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1) -> (d0, -d1 + 3)>
// CHECK-LABEL: func.func @reverse
// CHECK: linalg.generic {indexing_maps = [#[[REV]], #{{.*}}]
func.func @reverse(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = cotan.reverse %x dims = [1] : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Indices are clamped into [0, size - 1] before the read.
// CHECK-LABEL: func.func @take
// CHECK: ^bb0(%[[IDX:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[I:.*]] = arith.index_cast %[[IDX]] : i32 to index
// CHECK: %[[LO:.*]] = arith.maxsi %[[I]], %c0
// CHECK: %[[C:.*]] = arith.minsi %[[LO]], %c9
// CHECK: %[[J:.*]] = linalg.index 2 : index
// CHECK: tensor.extract %{{.*}}[%[[C]], %[[J]]] : tensor<10x4xf32>
func.func @take(%t: tensor<10x4xf32>, %ids: tensor<2x3xi32>) -> tensor<2x3x4xf32> {
  %0 = cotan.take %t[%ids] axis = 0 : (tensor<10x4xf32>, tensor<2x3xi32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Start indices are clamped so the slice lies inside the operand.
// CHECK-LABEL: func.func @dynamic_slice
// CHECK: %[[S:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: %[[I:.*]] = arith.index_cast %[[S]] : i64 to index
// CHECK: %[[LO:.*]] = arith.maxsi %[[I]], %{{.*}} : index
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %c8 : index
// CHECK: tensor.extract_slice %{{.*}}[%[[HI]], %{{.*}}] [2, 2] [1, 1] : tensor<10x4xf32> to tensor<2x2xf32>
func.func @dynamic_slice(%t: tensor<10x4xf32>, %i: tensor<i64>, %j: tensor<i32>) -> tensor<2x2xf32> {
  %0 = cotan.dynamic_slice %t[%i, %j] sizes = [2, 2] : (tensor<10x4xf32>, tensor<i64>, tensor<i32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @dynamic_update_slice
// CHECK: arith.minsi %{{.*}}, %c7 : index
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}] [3] [1] : tensor<3xf32> into tensor<10xf32>
func.func @dynamic_update_slice(%t: tensor<10xf32>, %u: tensor<3xf32>, %i: tensor<i32>) -> tensor<10xf32> {
  %0 = cotan.dynamic_update_slice %t[%i], %u : (tensor<10xf32>, tensor<3xf32>, tensor<i32>) -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// CHECK-LABEL: func.func @stop_gradient
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @stop_gradient(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.stop_gradient %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}
