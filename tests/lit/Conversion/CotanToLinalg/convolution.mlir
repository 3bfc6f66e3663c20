// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --canonicalize | FileCheck %s
// A convolution is a matmul of its patches with its filters (im2col).

// Padding writes the input into a zero-filled tensor; each of the 3 window
// offsets is a stride-2 slice moved to [N*out, C]; the concatenated patches
// [10, 9] multiply the filters rearranged to [K*C, O] = [9, 4] in one
// contraction, and the result goes back to [N, O, out].
// CHECK-LABEL: func.func @conv1d
// CHECK: %[[FILL:.*]] = linalg.fill
// CHECK: %[[PADDED:.*]] = tensor.insert_slice %arg0 into %[[FILL]][0, 0, 1] [2, 3, 10] [1, 1, 1]
// CHECK: tensor.extract_slice %[[PADDED]][0, 0, 0] [2, 3, 5] [1, 1, 2]
// CHECK: tensor.extract_slice %[[PADDED]][0, 0, 1] [2, 3, 5] [1, 1, 2]
// CHECK: tensor.extract_slice %[[PADDED]][0, 0, 2] [2, 3, 5] [1, 1, 2]
// CHECK: %[[PATCHES:.*]] = tensor.insert_slice %{{.*}}[0, 6] [10, 3] [1, 1] : tensor<10x3xf32> into tensor<10x9xf32>
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

// Feature groups become a batch dimension of the contraction.
// CHECK-LABEL: func.func @grouped
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]{{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x16x18xf32>, tensor<2x18x3xf32>)
func.func @grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = cotan.convolution %x, %w strides = [1, 1] pad = ([1, 1], [1, 1]) lhs_dilation = [1, 1] rhs_dilation = [1, 1] groups = 2 : (tensor<1x4x4x4xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}
