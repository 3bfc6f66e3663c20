// RUN: cotan-opt %s --split-input-file | cotan-opt --split-input-file | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-expand-autodiff --canonicalize | FileCheck %s --check-prefix=GRAD
// RUN: cotan-opt %s --split-input-file --cotan-vmap --canonicalize | FileCheck %s --check-prefix=VMAP

// CHECK-LABEL: func.func @conv
// CHECK: cotan.convolution %arg0, %arg1 strides = [1, 2] pad = ([1, 0], [2, 1]) lhs_dilation = [1, 1] rhs_dilation = [2, 1] groups = 2 : (tensor<2x4x9x7xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x8x3xf32>
func.func @conv(%x: tensor<2x4x9x7xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x8x3xf32> {
  %0 = cotan.convolution %x, %w strides = [1, 2] pad = ([1, 0], [2, 1]) lhs_dilation = [1, 1] rhs_dilation = [2, 1] groups = 2 : (tensor<2x4x9x7xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x8x3xf32>
  return %0 : tensor<2x6x8x3xf32>
}

// -----

// Both cotangents are convolutions: the input's with the filters flipped
// (reverse) and swapped (transpose), strides becoming input dilation; the
// filters' with batch and features exchanged.
// GRAD-LABEL: func.func private @conv_vjp
// GRAD-SAME: (%[[X:.*]]: tensor<2x3x10xf32>, %[[W:.*]]: tensor<4x3x3xf32>, %[[CT:.*]]: tensor<2x4x5xf32>)
// GRAD-DAG: %[[GROUPED:.*]] = cotan.reshape %[[W]] : tensor<4x3x3xf32> -> tensor<1x4x3x3xf32>
// GRAD-DAG: %[[SWAPPED:.*]] = cotan.transpose %[[GROUPED]] perm = [0, 2, 1, 3]
// GRAD-DAG: %[[UNGROUPED:.*]] = cotan.reshape %[[SWAPPED]] : tensor<1x3x4x3xf32> -> tensor<3x4x3xf32>
// GRAD-DAG: %[[FLIPPED:.*]] = cotan.reverse %[[UNGROUPED]] dims = [2]
// GRAD-DAG: %[[DX:.*]] = cotan.convolution %[[CT]], %[[FLIPPED]] strides = [1] pad = ([1], [2]) lhs_dilation = [2] rhs_dilation = [1] groups = 1 : (tensor<2x4x5xf32>, tensor<3x4x3xf32>) -> tensor<2x3x10xf32>
// GRAD-DAG: %[[XT:.*]] = cotan.transpose %[[X]] perm = [1, 0, 2] : tensor<2x3x10xf32> -> tensor<3x2x10xf32>
// GRAD-DAG: %[[CTT:.*]] = cotan.transpose %[[CT]] perm = [1, 0, 2] : tensor<2x4x5xf32> -> tensor<4x2x5xf32>
// GRAD-DAG: %[[DWT:.*]] = cotan.convolution %[[XT]], %[[CTT]] strides = [1] pad = ([1], [0]) lhs_dilation = [1] rhs_dilation = [2] groups = 1 : (tensor<3x2x10xf32>, tensor<4x2x5xf32>) -> tensor<3x4x3xf32>
// GRAD-DAG: %[[DW:.*]] = cotan.transpose %[[DWT]] perm = [1, 0, 2]
// GRAD: return %{{.*}}, %[[DX]], %[[DW]]
func.func private @conv(%x: tensor<2x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x5xf32> {
  %0 = cotan.convolution %x, %w strides = [2] pad = ([1], [1]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}
func.func @grad(%x: tensor<2x3x10xf32>, %w: tensor<4x3x3xf32>, %ct: tensor<2x4x5xf32>) -> (tensor<2x4x5xf32>, tensor<2x3x10xf32>, tensor<4x3x3xf32>) {
  %r:3 = cotan.vjp @conv(%x, %w) cotangents(%ct) : (tensor<2x3x10xf32>, tensor<4x3x3xf32>, tensor<2x4x5xf32>) -> (tensor<2x4x5xf32>, tensor<2x3x10xf32>, tensor<4x3x3xf32>)
  return %r#0, %r#1, %r#2 : tensor<2x4x5xf32>, tensor<2x3x10xf32>, tensor<4x3x3xf32>
}

// -----

// A batch of filters over a batch of inputs: B times the feature groups.
// VMAP-LABEL: func.func private @conv_vmap
// VMAP: %[[X:.*]] = cotan.transpose %arg0 perm = [1, 0, 2, 3] : tensor<5x2x3x10xf32> -> tensor<2x5x3x10xf32>
// VMAP: %[[XF:.*]] = cotan.reshape %[[X]] : tensor<2x5x3x10xf32> -> tensor<2x15x10xf32>
// VMAP: %[[WF:.*]] = cotan.reshape %arg1 : tensor<5x4x3x3xf32> -> tensor<20x3x3xf32>
// VMAP: %[[Y:.*]] = cotan.convolution %[[XF]], %[[WF]] {{.*}} groups = 5 : (tensor<2x15x10xf32>, tensor<20x3x3xf32>) -> tensor<2x20x8xf32>
// VMAP: %[[YU:.*]] = cotan.reshape %[[Y]] : tensor<2x20x8xf32> -> tensor<2x5x4x8xf32>
// VMAP: cotan.transpose %[[YU]] perm = [1, 0, 2, 3] : tensor<2x5x4x8xf32> -> tensor<5x2x4x8xf32>
func.func private @conv(%x: tensor<2x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x8xf32> {
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<2x3x10xf32>, tensor<4x3x3xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}
func.func @batched(%x: tensor<5x2x3x10xf32>, %w: tensor<5x4x3x3xf32>) -> tensor<5x2x4x8xf32> {
  %r = cotan.vmap @conv(%x, %w) batched = [true, true] : (tensor<5x2x3x10xf32>, tensor<5x4x3x3xf32>) -> tensor<5x2x4x8xf32>
  return %r : tensor<5x2x4x8xf32>
}

// -----

// A symbolic batch: the input cotangent keeps the dynamic batch, and the
// filters' cotangent contracts over it (dynamic input features, one group).
// CHECK-LABEL: func.func private @conv_dynamic_batch
// CHECK: cotan.convolution {{.*}} : (tensor<?x3x10xf32>, tensor<4x3x3xf32>) -> tensor<?x4x5xf32>
// GRAD-LABEL: func.func private @conv_dynamic_batch_vjp
// GRAD-DAG: cotan.convolution %{{.*}}, %{{.*}} {{.*}} : (tensor<?x4x5xf32>, tensor<3x4x3xf32>) -> tensor<?x3x10xf32>
// GRAD-DAG: cotan.convolution %{{.*}}, %{{.*}} {{.*}} groups = 1 : (tensor<3x?x10xf32>, tensor<4x?x5xf32>) -> tensor<3x4x3xf32>
func.func private @conv_dynamic_batch(%x: tensor<?x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<?x4x5xf32> {
  %0 = cotan.convolution %x, %w strides = [2] pad = ([1], [1]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<?x3x10xf32>, tensor<4x3x3xf32>) -> tensor<?x4x5xf32>
  return %0 : tensor<?x4x5xf32>
}
func.func @grad_dynamic_batch(%x: tensor<?x3x10xf32>, %w: tensor<4x3x3xf32>, %ct: tensor<?x4x5xf32>) -> (tensor<?x4x5xf32>, tensor<?x3x10xf32>, tensor<4x3x3xf32>) {
  %r:3 = cotan.vjp @conv_dynamic_batch(%x, %w) cotangents(%ct) : (tensor<?x3x10xf32>, tensor<4x3x3xf32>, tensor<?x4x5xf32>) -> (tensor<?x4x5xf32>, tensor<?x3x10xf32>, tensor<4x3x3xf32>)
  return %r#0, %r#1, %r#2 : tensor<?x4x5xf32>, tensor<?x3x10xf32>, tensor<4x3x3xf32>
}
