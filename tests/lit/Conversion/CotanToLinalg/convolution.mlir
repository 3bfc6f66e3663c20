// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --canonicalize | FileCheck %s
// A convolution is a matmul of its patches with its filters (im2col).

// The input goes channels-last [N, W, C] and is padded into a zero-filled
// tensor; each of the 3 window offsets is a stride-2 slice [N, out, C]
// stacked into the patches [N, out, K, C] = [10, 9] (rows of contiguous
// channels), which multiply the filters rearranged to [K*C, O] = [9, 4];
// the product [N*out, O] goes back to [N, O, out].
// CHECK-LABEL: func.func @conv1d
// CHECK: %[[NWC:.*]] = linalg.transpose ins(%arg0 : tensor<2x3x10xf32>) {{.*}} permutation = [0, 2, 1]
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %[[NWC]] into %[[FILL]][0, 1, 0] [2, 10, 3] [1, 1, 1]
// CHECK: tensor.extract_slice %[[PADDED]][0, 0, 0] [2, 5, 3] [1, 2, 1]
// CHECK: tensor.extract_slice %[[PADDED]][0, 1, 0] [2, 5, 3] [1, 2, 1]
// CHECK: tensor.extract_slice %[[PADDED]][0, 2, 0] [2, 5, 3] [1, 2, 1]
// CHECK: %[[STACKED:.*]] = tensor.insert_slice %{{.*}}[0, 0, 2, 0] [2, 5, 1, 3] [1, 1, 1, 1] : tensor<2x5x1x3xf32> into tensor<2x5x3x3xf32>
// CHECK: %[[PATCHES:.*]] = tensor.collapse_shape %[[STACKED]] {{.*}} into tensor<10x9xf32>
// CHECK: linalg.transpose ins(%arg1 : tensor<4x3x3xf32>) {{.*}} permutation = [2, 1, 0]
// CHECK: %[[FILTERS:.*]] = tensor.collapse_shape %{{.*}} : tensor<3x3x4xf32> into tensor<9x4xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]{{.*}} ins(%[[PATCHES]], %[[FILTERS]] : tensor<10x9xf32>, tensor<9x4xf32>)
// CHECK: %[[UNFOLDED:.*]] = tensor.expand_shape %[[PRODUCT]] {{.*}} into tensor<2x5x4xf32>
// CHECK: linalg.transpose ins(%[[UNFOLDED]] : tensor<2x5x4xf32>) {{.*}} permutation = [0, 2, 1]
func.func @conv1d(%x: tensor<2x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x5xf32> {
  %0 = cotan.convolution %x, %w strides = [2] pad = ([1], [1]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// Feature groups become a batch dimension of the contraction: patches
// [G, N*P, K*Cg] times filters [G, K*Cg, Og].
// CHECK-LABEL: func.func @grouped
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x16x18xf32>, tensor<2x18x3xf32>)
func.func @grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = cotan.convolution %x, %w strides = [1, 1] pad = ([1, 1], [1, 1]) lhs_dilation = [1, 1] rhs_dilation = [1, 1] groups = 2 : (tensor<1x4x4x4xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// An output smaller than the window (a filter gradient's shape) takes its
// patches per output position: 2 windows [N, 3, C] stacked into [P*N, K*C].
// CHECK-LABEL: func.func @small_output
// CHECK: %[[NWC:.*]] = linalg.transpose ins(%arg0
// CHECK: tensor.extract_slice %[[NWC]][0, 0, 0] [2, 3, 3] [1, 1, 1]
// CHECK: tensor.extract_slice %[[NWC]][0, 1, 0] [2, 3, 3] [1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}}[1, 0, 0, 0] [1, 2, 3, 3] [1, 1, 1, 1] : tensor<1x2x3x3xf32> into tensor<2x2x3x3xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4x9xf32>, tensor<9x4xf32>)
// CHECK: %[[UNFOLDED:.*]] = tensor.expand_shape %[[PRODUCT]] {{.*}} into tensor<2x2x4xf32>
// CHECK: linalg.transpose ins(%[[UNFOLDED]] : tensor<2x2x4xf32>) {{.*}} permutation = [1, 2, 0]
func.func @small_output(%x: tensor<2x3x4xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x2xf32> {
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<2x3x4xf32>, tensor<4x3x3xf32>) -> tensor<2x4x2xf32>
  return %0 : tensor<2x4x2xf32>
}

// -----

// Channels-last inputs and outputs (flax's NHWC, HWIO): the layout
// transposes around the op cancel against the lowering's, so the patches
// are sliced straight from the padded NHWC input and the product
// [N*P, O] is the NHWC result.
// CHECK-LABEL: func.func @channels_last
// CHECK-NOT: linalg.transpose ins(%arg0
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into
// CHECK: %[[PRODUCT:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<32x18xf32>, tensor<18x4xf32>)
// CHECK: %[[NHWC:.*]] = tensor.expand_shape %[[PRODUCT]] {{.*}} into tensor<2x4x4x4xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return %[[NHWC]]
func.func @channels_last(%x: tensor<2x4x4x2xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<2x4x4x4xf32> {
  %xt = cotan.transpose %x perm = [0, 3, 1, 2] : tensor<2x4x4x2xf32> -> tensor<2x2x4x4xf32>
  %wt = cotan.transpose %w perm = [3, 2, 0, 1] : tensor<3x3x2x4xf32> -> tensor<4x2x3x3xf32>
  %0 = cotan.convolution %xt, %wt strides = [1, 1] pad = ([1, 1], [1, 1]) lhs_dilation = [1, 1] rhs_dilation = [1, 1] groups = 1 : (tensor<2x2x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<2x4x4x4xf32>
  %y = cotan.transpose %0 perm = [0, 2, 3, 1] : tensor<2x4x4x4xf32> -> tensor<2x4x4x4xf32>
  return %y : tensor<2x4x4x4xf32>
}
