// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --canonicalize | FileCheck %s
// A convolution is one contraction that reads the padded channels-last
// input through the window: no patch matrix is built.

// The input goes channels-last [N, W, C] and is padded into a zero-filled
// tensor; the filters go to [k, C, O]. Loops (n, p, o, k, c): the input is
// read at p * stride + k * dilation, and the result [N, out, O] goes back
// to [N, O, out].
// CHECK-DAG: #[[INPUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 * 2 + d3 * 3, d4)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d3, d4, d2)>
// CHECK-DAG: #[[OUTPUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @conv1d
// CHECK: %[[NWC:.*]] = linalg.transpose ins(%arg0 : tensor<2x3x10xf32>) {{.*}} permutation = [0, 2, 1]
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %[[NWC]] into %[[FILL]][0, 1, 0] [2, 10, 3] [1, 1, 1]
// CHECK: %[[FILTERS:.*]] = linalg.transpose ins(%arg1 : tensor<4x3x3xf32>) {{.*}} permutation = [2, 1, 0]
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<2x3x4xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.generic {indexing_maps = [#[[INPUT]], #[[FILTER]], #[[OUTPUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PADDED]], %[[FILTERS]] : tensor<2x12x3xf32>, tensor<3x3x4xf32>) outs(%[[ZERO]] : tensor<2x3x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.transpose ins(%[[PRODUCT]] : tensor<2x3x4xf32>) {{.*}} permutation = [0, 2, 1]
func.func @conv1d(%x: tensor<2x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x3xf32> {
  %0 = cotan.convolution %x, %w strides = [2] pad = ([1], [1]) lhs_dilation = [1] rhs_dilation = [3] groups = 1 : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// Feature groups split the channels into (G, Cg): G is a batch loop (d3)
// of the input [N, H, W, G, Cg], the filters [k..., Cg, G, Og] and the
// result [N, out..., G, Og], which merges back to [N, out..., O].
// CHECK-DAG: #[[INPUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 + d5, d2 + d6, d3, d7)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6, d7, d3, d4)>
// CHECK-DAG: #[[OUTPUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @grouped
// CHECK: %[[PRODUCT:.*]] = linalg.generic {indexing_maps = [#[[INPUT]], #[[FILTER]], #[[OUTPUT]]]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x6x6x2x2xf32>, tensor<3x3x2x2x3xf32>) outs(%{{.*}} : tensor<1x4x4x2x3xf32>)
// CHECK: tensor.collapse_shape %[[PRODUCT]] {{\[\[}}0], [1], [2], [3, 4]] : tensor<1x4x4x2x3xf32> into tensor<1x4x4x6xf32>
func.func @grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = cotan.convolution %x, %w strides = [1, 1] pad = ([1, 1], [1, 1]) lhs_dilation = [1, 1] rhs_dilation = [1, 1] groups = 2 : (tensor<1x4x4x4xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// An output smaller than the window (a filter gradient's shape) is the
// same contraction, its rows the output positions: no special case.
// CHECK-LABEL: func.func @small_output
// CHECK: %[[NWC:.*]] = linalg.transpose ins(%arg0
// CHECK: linalg.generic {{.*}} ins(%[[NWC]], %{{.*}} : tensor<2x4x3xf32>, tensor<3x3x4xf32>) outs(%{{.*}} : tensor<2x2x4xf32>)
func.func @small_output(%x: tensor<2x3x4xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x2xf32> {
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<2x3x4xf32>, tensor<4x3x3xf32>) -> tensor<2x4x2xf32>
  return %0 : tensor<2x4x2xf32>
}

// -----

// Channels-last inputs and outputs (flax's NHWC, HWIO): the layout
// transposes around the op cancel against the lowering's, so the
// contraction reads the padded NHWC input and its product is the NHWC
// result.
// CHECK-LABEL: func.func @channels_last
// CHECK-NOT: linalg.transpose ins(%arg0
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into
// CHECK: %[[PRODUCT:.*]] = linalg.generic {{.*}} ins(%[[PADDED]], %{{.*}} : tensor<2x6x6x2xf32>, tensor<3x3x2x4xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return %[[PRODUCT]]
func.func @channels_last(%x: tensor<2x4x4x2xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<2x4x4x4xf32> {
  %xt = cotan.transpose %x perm = [0, 3, 1, 2] : tensor<2x4x4x2xf32> -> tensor<2x2x4x4xf32>
  %wt = cotan.transpose %w perm = [3, 2, 0, 1] : tensor<3x3x2x4xf32> -> tensor<4x2x3x3xf32>
  %0 = cotan.convolution %xt, %wt strides = [1, 1] pad = ([1, 1], [1, 1]) lhs_dilation = [1, 1] rhs_dilation = [1, 1] groups = 1 : (tensor<2x2x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<2x4x4x4xf32>
  %y = cotan.transpose %0 perm = [0, 2, 3, 1] : tensor<2x4x4x4xf32> -> tensor<2x4x4x4xf32>
  return %y : tensor<2x4x4x4xf32>
}
