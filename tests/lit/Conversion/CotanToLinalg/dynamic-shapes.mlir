// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --canonicalize --cse | FileCheck %s
// Dynamic (`?`) dimensions, one case per op family: results are sized
// with tensor.dim of an operand, or with the op's dynamic_sizes.

// Elementwise results take the sizes of their first operand.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[Y:.*]]: tensor<?x4xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[Y]] : tensor<?x4xf32>, tensor<?x4xf32>) outs(%[[E]] : tensor<?x4xf32>)
// CHECK: arith.addf
func.func @elementwise(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = cotan.add %x, %y : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Booleans are stored as bytes at any size.
// CHECK-LABEL: func.func @compare_select
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?xf32>
// CHECK: tensor.empty(%[[N]]) : tensor<?xi8>
// CHECK: arith.cmpf ogt
// CHECK: tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: arith.select
func.func @compare_select(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %p = cotan.compare gt, %x, %y : tensor<?xf32> -> tensor<?xi1>
  %0 = cotan.select %p, %x, %y : tensor<?xi1>, tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @convert
// CHECK: tensor.empty(%{{.*}}) : tensor<?x2xi32>
// CHECK: arith.fptosi
func.func @convert(%x: tensor<?x2xf32>) -> tensor<?x2xi32> {
  %0 = cotan.convert %x : tensor<?x2xf32> -> tensor<?x2xi32>
  return %0 : tensor<?x2xi32>
}

// -----

// A broadcast's new `?` dimension is its dynamic size operand.
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: (%[[B:.*]]: tensor<3xf32>, %[[N:.*]]: index)
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[B]] : tensor<3xf32>) outs(%[[E]] : tensor<?x3xf32>)
func.func @broadcast(%b: tensor<3xf32>, %n: index) -> tensor<?x3xf32> {
  %0 = cotan.broadcast_in_dim %b[%n] dims = [1] : tensor<3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// An iota fills a tensor of its dynamic sizes with linalg.index.
// CHECK-LABEL: func.func @iota
// CHECK-SAME: (%[[N:.*]]: index)
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3xi32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?x3xi32>)
// CHECK: linalg.index 0
func.func @iota(%n: index) -> tensor<?x3xi32> {
  %0 = cotan.iota[%n] dim = 0 : tensor<?x3xi32>
  return %0 : tensor<?x3xi32>
}

// -----

// A reshape collapses to 1-D and expands to the sizes it is given.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[N:.*]]: index)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<?x3xf32> into tensor<?xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [%[[N]], 6] : tensor<?xf32> into tensor<?x6xf32>
func.func @reshape(%x: tensor<?x3xf32>, %n: index) -> tensor<?x6xf32> {
  %0 = cotan.reshape %x[%n] : tensor<?x3xf32> -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

// Several `?` sizes: a reshape by a shape tensor (expand_shape allows one
// per group).
// CHECK-LABEL: func.func @reshape_several_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[N:.*]]: index, %[[M:.*]]: index)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<?x3xf32> into tensor<?xf32>
// CHECK: %[[SHAPE:.*]] = tensor.from_elements %[[N]], %c2, %[[M]] : tensor<3xindex>
// CHECK: tensor.reshape %[[FLAT]](%[[SHAPE]]) : (tensor<?xf32>, tensor<3xindex>) -> tensor<?x2x?xf32>
func.func @reshape_several_dynamic(%x: tensor<?x3xf32>, %n: index, %m: index) -> tensor<?x2x?xf32> {
  %0 = cotan.reshape %x[%n, %m] : tensor<?x3xf32> -> tensor<?x2x?xf32>
  return %0 : tensor<?x2x?xf32>
}

// -----

// A static result of a dynamic operand: the flat size is cast static.
// CHECK-LABEL: func.func @reshape_to_static
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<?x3xf32> into tensor<?xf32>
// CHECK: tensor.cast %{{.*}} : tensor<?xf32> to tensor<6xf32>
// CHECK: tensor.expand_shape %{{.*}} output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
func.func @reshape_to_static(%x: tensor<?x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.reshape %x : tensor<?x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<3x?xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<?x3xf32>) outs(%[[E]] : tensor<3x?xf32>) permutation = [1, 0]
func.func @transpose(%x: tensor<?x3xf32>) -> tensor<3x?xf32> {
  %0 = cotan.transpose %x perm = [1, 0] : tensor<?x3xf32> -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// A reduction keeps the sizes of the dimensions it does not reduce.
// CHECK-LABEL: func.func @reduce
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?x3xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?xf32>)
// CHECK: linalg.reduce ins(%{{.*}} : tensor<?x3xf32>) outs(%[[INIT]] : tensor<?xf32>) dimensions = [1]
func.func @reduce(%x: tensor<?x3xf32>) -> tensor<?xf32> {
  %0 = cotan.reduce_sum %x dims = [1] : tensor<?x3xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @argmax
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c1 : tensor<3x?xf32>
// CHECK: tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: tensor.empty(%[[N]]) : tensor<?xi32>
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
func.func @argmax(%x: tensor<3x?xf32>) -> tensor<?xi32> {
  %0 = cotan.argmax %x dim = 0 : tensor<3x?xf32> -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// A contraction's free dimensions come from the operand that has them.
// CHECK-LABEL: func.func @dot_general
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x?xf32>)
// CHECK-DAG: %[[M:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[W]], %c1
// CHECK: tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
func.func @dot_general(%x: tensor<?x4xf32>, %w: tensor<4x?xf32>) -> tensor<?x?xf32> {
  %0 = cotan.dot_general %x, %w {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<?x4xf32>, tensor<4x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A slice, pad or concatenation moves a dynamic dimension whole.
// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: tensor.extract_slice %[[X]][0, 2] [%[[N]], 3] [1, 2] : tensor<?x8xf32> to tensor<?x3xf32>
func.func @slice(%x: tensor<?x8xf32>) -> tensor<?x3xf32> {
  %0 = cotan.slice %x start = [0, 2] limit = [-1, 8] strides = [1, 2] : tensor<?x8xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %{{.*}}: tensor<f32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x6xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x6xf32>)
// CHECK: tensor.insert_slice %[[X]] into %[[F]][0, 1] [%[[N]], 3] [1, 1] : tensor<?x3xf32> into tensor<?x6xf32>
func.func @pad(%x: tensor<?x3xf32>, %p: tensor<f32>) -> tensor<?x6xf32> {
  %0 = cotan.pad %x, %p low = [0, 1] high = [0, 2] interior = [0, 0] : (tensor<?x3xf32>, tensor<f32>) -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

// CHECK-LABEL: func.func @concatenate
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[Y:.*]]: tensor<?x4xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x7xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %[[X]] into %[[E]][0, 0] [%[[N]], 3] [1, 1]
// CHECK: %[[M:.*]] = tensor.dim %[[Y]], %c0
// CHECK: tensor.insert_slice %[[Y]] into %[[A]][0, 3] [%[[M]], 4] [1, 1]
func.func @concatenate(%x: tensor<?x3xf32>, %y: tensor<?x4xf32>) -> tensor<?x7xf32> {
  %0 = cotan.concatenate %x, %y dim = 1 : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<?x7xf32>
  return %0 : tensor<?x7xf32>
}

// -----

// An embedding lookup with a dynamic number of indices.
// CHECK-LABEL: func.func @take
// CHECK-SAME: (%[[E:.*]]: tensor<5x4xf32>, %[[I:.*]]: tensor<?xi32>)
// CHECK: %[[N:.*]] = tensor.dim %[[I]], %c0
// CHECK: %[[OUT:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[I]] : tensor<?xi32>) outs(%[[OUT]] : tensor<?x4xf32>)
func.func @take(%e: tensor<5x4xf32>, %i: tensor<?xi32>) -> tensor<?x4xf32> {
  %0 = cotan.take %e[%i] axis = 0 : (tensor<5x4xf32>, tensor<?xi32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A scan stacking outputs with a dynamic dimension runs its first step
// before the loop and allocates the stacked buffer from what it yields;
// the loop runs the other steps.
// CHECK-LABEL: func.func @scan_stacks_dynamic
// CHECK-SAME: (%[[INIT:.*]]: tensor<?xf32>, %[[XS:.*]]: tensor<3x?xf32>)
// CHECK: %[[W:.*]] = tensor.dim %[[XS]], %c1
// CHECK: %[[X0:.*]] = tensor.extract_slice %[[XS]][0, 0] [1, %[[W]]] [1, 1]
// CHECK: %[[Y0:.*]] = linalg.generic {{.*}} ins(%[[INIT]], %[[X0]]
// CHECK: %[[STACK:.*]] = tensor.empty(%{{.*}}) : tensor<3x?xf32>
// CHECK: %[[FIRST:.*]] = tensor.insert_slice %[[Y0]] into %[[STACK]][0, 0]
// CHECK: scf.for %[[I:.*]] = %c1 to %c3 step %c1 iter_args(%{{.*}} = %[[Y0]], %{{.*}} = %[[FIRST]])
// CHECK: tensor.extract_slice %[[XS]][%[[I]], 0] [1, %[[W]]] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%[[I]], 0]
func.func @scan_stacks_dynamic(%init: tensor<?xf32>, %xs: tensor<3x?xf32>) -> (tensor<?xf32>, tensor<3x?xf32>) {
  %r:2 = cotan.scan length = 3 (%init) xs (%xs) consts () : (tensor<?xf32>, tensor<3x?xf32>) -> (tensor<?xf32>, tensor<3x?xf32>) {
  ^bb0(%c: tensor<?xf32>, %x: tensor<?xf32>):
    %s = cotan.add %c, %x : tensor<?xf32>
    cotan.yield %s, %s : tensor<?xf32>, tensor<?xf32>
  }
  return %r#0, %r#1 : tensor<?xf32>, tensor<3x?xf32>
}

// -----

// A switch on values with `?` dimensions: scf.if yields the dynamic type.
// CHECK-LABEL: func.func @switch_dynamic
// CHECK: scf.if %{{.*}} -> (tensor<?x3xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x3xf32>)
// CHECK: } else {
// CHECK: scf.yield %{{.*}} : tensor<?x3xf32>
func.func @switch_dynamic(%i: tensor<i32>, %x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = cotan.switch %i (%x) : tensor<i32>, (tensor<?x3xf32>) -> tensor<?x3xf32> {
  ^bb0(%a: tensor<?x3xf32>):
    %n = cotan.neg %a : tensor<?x3xf32>
    cotan.yield %n : tensor<?x3xf32>
  }, {
  ^bb0(%a: tensor<?x3xf32>):
    cotan.yield %a : tensor<?x3xf32>
  }
  return %0 : tensor<?x3xf32>
}

// -----

// A while loop carrying a `?` dimension: scf.while over the dynamic type.
// CHECK-LABEL: func.func @while_dynamic
// CHECK: scf.while (%{{.*}} = %{{.*}}) : (tensor<?xf32>) -> tensor<?xf32>
// CHECK: scf.condition
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?xf32>)
func.func @while_dynamic(%x: tensor<?xf32>, %limit: tensor<f32>) -> tensor<?xf32> {
  %0 = cotan.while (%x) consts (%limit) : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  cond {
  ^bb0(%c: tensor<?xf32>, %k: tensor<f32>):
    %s = cotan.reduce_sum %c dims = [0] : tensor<?xf32> -> tensor<f32>
    %p = cotan.compare lt, %s, %k : tensor<f32> -> tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%c: tensor<?xf32>, %k: tensor<f32>):
    %d = cotan.add %c, %c : tensor<?xf32>
    cotan.yield %d : tensor<?xf32>
  }
  return %0 : tensor<?xf32>
}

// -----

// A convolution over a dynamic batch: the contraction's accumulator takes
// its batch from the input at run time.
// CHECK-LABEL: func.func @convolution_dynamic_batch
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0 : tensor<?x2x6xf32>
// CHECK: %[[ACC:.*]] = tensor.empty(%[[N]]) : tensor<?x5x3xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}}) outs(%[[ACC]] : tensor<?x5x3xf32>)
// CHECK: linalg.generic {{.*}} ins(%arg0, %{{.*}} : tensor<?x2x6xf32>, tensor<2x2x3xf32>) outs(%[[ZERO]] : tensor<?x5x3xf32>)
func.func @convolution_dynamic_batch(%x: tensor<?x2x6xf32>, %w: tensor<3x2x2xf32>) -> tensor<?x3x5xf32> {
  %0 = cotan.convolution %x, %w strides = [1] pad = ([0], [0]) lhs_dilation = [1] rhs_dilation = [1] groups = 1 : (tensor<?x2x6xf32>, tensor<3x2x2xf32>) -> tensor<?x3x5xf32>
  return %0 : tensor<?x3x5xf32>
}

// -----

// Pooling over a dynamic batch: slices take the batch whole.
// CHECK-LABEL: func.func @reduce_window_dynamic_batch
// CHECK: tensor.extract_slice %arg0[0, 0] [%{{.*}}, 2] [1, 2] : tensor<?x4xf32> to tensor<?x2xf32>
// CHECK: tensor.extract_slice %arg0[0, 1] [%{{.*}}, 2] [1, 2] : tensor<?x4xf32> to tensor<?x2xf32>
// CHECK: arith.maximumf
func.func @reduce_window_dynamic_batch(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %0 = cotan.reduce_window max %x window = [1, 2] strides = [1, 2] pad = ([0, 0], [0, 0]) : tensor<?x4xf32> -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// Reversing a static dimension of a tensor with a dynamic one.
// CHECK-LABEL: func.func @reverse_static_dim
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0 : tensor<?x3xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<?x3xf32>) outs(%[[E]] : tensor<?x3xf32>)
func.func @reverse_static_dim(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = cotan.reverse %x dims = [1] : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// x[1:-1] of a dynamic dimension reads dim - 2 elements from offset 1; the
// edge pad writes it at offset 1 of a buffer dim + 1 long.
// CHECK-LABEL: func.func @edges_of_dynamic
// CHECK: %[[N:.*]] = tensor.dim %arg0, %c0 : tensor<?xf32>
// CHECK: %[[LEFT:.*]] = arith.subi %[[N]], %c2 : index
// CHECK: %[[SIZE:.*]] = arith.maxsi %[[LEFT]], %c0 : index
// CHECK: tensor.extract_slice %arg0[1] [%[[SIZE]]] [1] : tensor<?xf32> to tensor<?xf32>
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[1] [%{{.*}}] [1] : tensor<?xf32> into tensor<?xf32>
func.func @edges_of_dynamic(%x: tensor<?xf32>, %p: tensor<f32>) -> tensor<?xf32> {
  %0 = cotan.slice %x start = [1] limit = [-2] strides = [1] : tensor<?xf32> -> tensor<?xf32>
  %1 = cotan.pad %0, %p low = [1] high = [2] interior = [0] : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  return %1 : tensor<?xf32>
}
