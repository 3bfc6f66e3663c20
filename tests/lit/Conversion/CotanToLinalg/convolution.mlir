// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --canonicalize | FileCheck %s
// A convolution is a matmul of its patches with its filters (im2col).

// Padding writes the input into a zero-filled tensor; each of the 3 window
// offsets is a stride-2 slice moved to [C, N*out]; the filters rearranged
// to [O, K*C] = [4, 9] multiply the stacked patches [9, 10] in one
// contraction, and the result goes back from [O, N, out] to [N, O, out].
// CHECK-LABEL: func.func @conv1d
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into %[[FILL]][0, 0, 1] [2, 3, 10] [1, 1, 1]
// CHECK: tensor.extract_slice %[[PADDED]][0, 0, 0] [2, 3, 5] [1, 1, 2]
// CHECK: linalg.transpose {{.*}} permutation = [1, 0, 2]
// CHECK: tensor.extract_slice %[[PADDED]][0, 0, 1] [2, 3, 5] [1, 1, 2]
// CHECK: tensor.extract_slice %[[PADDED]][0, 0, 2] [2, 3, 5] [1, 1, 2]
// CHECK: %[[PATCHES:.*]] = tensor.insert_slice %{{.*}}[6, 0] [3, 10] [1, 1] : tensor<3x10xf32> into tensor<9x10xf32>
// CHECK: linalg.transpose ins(%arg1 : tensor<4x3x3xf32>) {{.*}} permutation = [0, 2, 1]
// CHECK: %[[FILTERS:.*]] = tensor.collapse_shape %{{.*}} : tensor<4x3x3xf32> into tensor<4x9xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]{{.*}} ins(%[[FILTERS]], %[[PATCHES]] : tensor<4x9xf32>, tensor<9x10xf32>)
// CHECK: %[[UNFOLDED:.*]] = tensor.expand_shape %[[PRODUCT]] {{.*}} into tensor<4x2x5xf32>
// CHECK: linalg.transpose ins(%[[UNFOLDED]] : tensor<4x2x5xf32>) {{.*}} permutation = [1, 0, 2]
func.func @conv1d(%x: tensor<2x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x5xf32> {
  %0 = cotan.convolution %x, %w strides = [2] pad = ([1], [1]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// Feature groups become a batch dimension of the contraction.
// CHECK-LABEL: func.func @grouped
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x3x18xf32>, tensor<2x18x16xf32>)
func.func @grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = cotan.convolution %x, %w strides = [1, 1] pad = ([1, 1], [1, 1]) lhs_dilation = [1, 1] rhs_dilation = [1, 1] groups = 2 : (tensor<1x4x4x4xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// An output smaller than the window (a filter gradient's shape) is computed
// per output position: 2 windows [N, C, 3] times the filters, concatenated.
// CHECK-LABEL: func.func @small_output
// CHECK: tensor.extract_slice %arg0[0, 0, 0] [2, 3, 3] [1, 1, 1]
// CHECK: tensor.extract_slice %arg0[0, 0, 1] [2, 3, 3] [1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 1] [2, 4, 1] [1, 1, 1] : tensor<2x4x1xf32> into tensor<2x4x2xf32>
func.func @small_output(%x: tensor<2x3x4xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x2xf32> {
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<2x3x4xf32>, tensor<4x3x3xf32>) -> tensor<2x4x2xf32>
  return %0 : tensor<2x4x2xf32>
}
