// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --canonicalize | FileCheck %s
// A convolution is one contraction that reads the padded input through
// the window, in whatever layout it is stored: no patch matrix is built.

// The input is padded where it is stored [N, C, W] (a zero-filled tensor).
// Loops (n, p, o, k, c): the input is read at p * stride + k * dilation;
// the filters go to [C, k, O], so that the last contraction step (k) walks
// the input's innermost dimension. The result accumulates channels-last
// [N, out, O] (O innermost for the kernel), then goes to [N, O, out].
// CHECK-DAG: #[[INPUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1 * 2 + d3 * 3)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d4, d3, d2)>
// CHECK-DAG: #[[OUTPUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @conv1d
// CHECK-NOT: linalg.transpose ins(%arg0
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into %[[FILL]][0, 0, 1] [2, 3, 10] [1, 1, 1]
// CHECK: %[[FILTERS:.*]] = linalg.transpose ins(%arg1 : tensor<4x3x3xf32>) {{.*}} permutation = [1, 2, 0]
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<2x3x4xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.generic {indexing_maps = [#[[INPUT]], #[[FILTER]], #[[OUTPUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PADDED]], %[[FILTERS]] : tensor<2x3x12xf32>, tensor<3x3x4xf32>) outs(%[[ZERO]] : tensor<2x3x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.transpose ins(%[[PRODUCT]] : tensor<2x3x4xf32>) {{.*}} permutation = [0, 2, 1]
func.func @conv1d(%x: tensor<2x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x3xf32> {
  %0 = cotan.convolution %x, %w strides = [2] pad = ([1], [1]) lhs_dilation = [1] rhs_dilation = [3] groups = 1 : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// Feature groups split the channels into (G, Cg): G is a batch loop (d3),
// the input's channel g * Cg + c, the filters [Cg, k..., G, Og] and the
// result [N, out..., G, Og], which merges back to [N, out..., O].
// CHECK-DAG: #[[INPUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d3 * 2 + d7, d1 + d5, d2 + d6)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d7, d5, d6, d3, d4)>
// CHECK-DAG: #[[OUTPUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @grouped
// CHECK: %[[PRODUCT:.*]] = linalg.generic {indexing_maps = [#[[INPUT]], #[[FILTER]], #[[OUTPUT]]]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x6x6xf32>, tensor<2x3x3x2x3xf32>) outs(%{{.*}} : tensor<1x4x4x2x3xf32>)
// CHECK: tensor.collapse_shape %[[PRODUCT]] {{\[\[}}0], [1], [2], [3, 4]] : tensor<1x4x4x2x3xf32> into tensor<1x4x4x6xf32>
func.func @grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = cotan.convolution %x, %w strides = [1, 1] pad = ([1, 1], [1, 1]) lhs_dilation = [1, 1] rhs_dilation = [1, 1] groups = 2 : (tensor<1x4x4x4xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// An output smaller than the window (a filter gradient's shape) is the
// same contraction, its rows the output positions: no special case.
// CHECK-LABEL: func.func @small_output
// CHECK: linalg.generic {{.*}} ins(%arg0, %{{.*}} : tensor<2x3x4xf32>, tensor<3x3x4xf32>) outs(%{{.*}} : tensor<2x2x4xf32>)
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

// -----

// A filter gradient's shape: the input is the batch-and-feature-swapped
// NHWC activation (read through the transpose, no copy) and the result is
// wanted as HWIO, which keeps O innermost: the contraction accumulates
// straight into [k, k, C, O], rows (kh, kw, c) with c contiguous in x.
// CHECK-DAG: #[[INPUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d6, d1 + d4, d2 + d5, d0)>
// CHECK-DAG: #[[OUTPUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d0, d3)>
// CHECK-LABEL: func.func @filter_gradient_layout
// CHECK-NOT: linalg.transpose ins(%arg0
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into %{{.*}}[0, 1, 1, 0] [2, 5, 5, 3] [1, 1, 1, 1]
// CHECK: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[INPUT]], #{{.*}}, #[[OUTPUT]]]{{.*}} ins(%[[PADDED]], %{{.*}} : tensor<2x7x7x3xf32>, tensor<2x5x5x4xf32>) outs(%{{.*}} : tensor<3x3x3x4xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return %[[DW]]
func.func @filter_gradient_layout(%x: tensor<2x5x5x3xf32>, %dy: tensor<4x2x5x5xf32>) -> tensor<3x3x3x4xf32> {
  %xt = cotan.transpose %x perm = [3, 0, 1, 2] : tensor<2x5x5x3xf32> -> tensor<3x2x5x5xf32>
  %0 = cotan.convolution %xt, %dy strides = [1, 1] pad = ([1, 1], [1, 1]) lhs_dilation = [1, 1] rhs_dilation = [1, 1] groups = 1 : (tensor<3x2x5x5xf32>, tensor<4x2x5x5xf32>) -> tensor<3x4x3x3xf32>
  %hwio = cotan.transpose %0 perm = [2, 3, 0, 1] : tensor<3x4x3x3xf32> -> tensor<3x3x3x4xf32>
  return %hwio : tensor<3x3x3x4xf32>
}
