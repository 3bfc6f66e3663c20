// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --cotan-partition | FileCheck %s

// A tensor-parallel two-layer network (Megatron-style): w1 split by
// columns, w2 by rows over a mesh of 2. shard-partition turns a copy of
// the function into a program on blocks whose partial products are summed
// by an MPI all-reduce; the function keeps its global signature, slices
// each process's blocks (at its rank's position), and the copy is inlined.
// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[W1:.*]]: tensor<4x6xf32>, %[[W2:.*]]: tensor<6x3xf32>) -> tensor<8x3xf32>
// CHECK-NOT: cotan.mesh
// CHECK: %[[RANK:.*]] = mpi.comm_rank
// CHECK: %[[R:.*]] = arith.index_cast %[[RANK]] : i32 to index
// CHECK: %[[POS:.*]] = arith.remui %[[R]], %{{.*}} : index
// CHECK: %[[AT:.*]] = arith.muli %[[POS]], %{{.*}} : index
// CHECK: %[[W1B:.*]] = tensor.extract_slice %[[W1]][0, %[[AT]]] [4, 3] [1, 1] : tensor<4x6xf32> to tensor<4x3xf32>
// CHECK: %[[W2B:.*]] = tensor.extract_slice %[[W2]][%[[AT]], 0] [3, 3] [1, 1] : tensor<6x3xf32> to tensor<3x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[W1B]] : tensor<8x4xf32>, tensor<4x3xf32>)
// CHECK: math.tanh
// CHECK: %[[PART:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[W2B]] : tensor<8x3xf32>, tensor<3x3xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[PART]]
// CHECK: %[[IN:.*]] = bufferization.to_buffer %[[FLAT]] read_only
// CHECK: mpi.allreduce(%[[IN]], %{{.*}}, MPI_SUM, %{{.*}}) : memref<24xf32>, memref<24xf32>
// CHECK-NOT: call
// CHECK-NOT: shard.
func.func @mlp(%x: tensor<8x4xf32>,
               %w1: tensor<4x6xf32> {cotan.split_axes = [array<i64>, array<i64: 0>]},
               %w2: tensor<6x3xf32> {cotan.split_axes = [array<i64: 0>]})
    -> tensor<8x3xf32> attributes {cotan.mesh = array<i64: 2>} {
  %0 = cotan.dot_general %x, %w1 {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x4xf32>, tensor<4x6xf32>) -> tensor<8x6xf32>
  %1 = cotan.tanh %0 : tensor<8x6xf32>
  %2 = cotan.dot_general %1, %w2 {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x6xf32>, tensor<6x3xf32>) -> tensor<8x3xf32>
  return %2 : tensor<8x3xf32>
}

// -----

// A result split over the mesh is gathered back: each process computes
// its rows (a batch-sharded input) and an all-gather rebuilds the whole.
// CHECK-LABEL: func.func @rows
// CHECK: %[[XB:.*]] = tensor.extract_slice %{{.*}}[%[[AT:.*]], 0] [2, 4] [1, 1] : tensor<8x4xf32> to tensor<2x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[XB]] : tensor<2x4xf32>)
// CHECK: math.exp
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%[[AT]], 0] [2, 4] [1, 1] : tensor<2x4xi32> into tensor<8x4xi32>
// CHECK: mpi.allreduce(%{{.*}}, %{{.*}}, MPI_BOR, %{{.*}}) : memref<32xi32>, memref<32xi32>
func.func @rows(%x: tensor<8x4xf32> {cotan.split_axes = [array<i64: 0>]})
    -> (tensor<8x4xf32> {cotan.split_axes = [array<i64: 0>]}) attributes {cotan.mesh = array<i64: 4>} {
  %0 = cotan.exp %x : tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// Batch-sharded rows normalized by their sums (keepdims): the reshape that
// adds a unit dimension and the broadcast of it become generics with
// projected maps, which the shard dialect can split, so each process works
// on its 4 rows with no communication until the result is gathered.
// CHECK-LABEL: func.func @normalize
// CHECK: %[[ROWS:.*]] = tensor.extract_slice %{{.*}}[%{{.*}}, 0] [4, 4] [1, 1] : tensor<8x4xf32> to tensor<4x4xf32>
// CHECK: %[[SUMS:.*]] = linalg.reduce ins(%[[ROWS]] : tensor<4x4xf32>)
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.generic {{.*}} ins(%[[SUMS]] : tensor<4xf32>) outs(%{{.*}} : tensor<4x1xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<4x1xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK: arith.divf
// CHECK: mpi.allreduce(%{{.*}}, %{{.*}}, MPI_BOR, %{{.*}}) : memref<32xi32>, memref<32xi32>
// CHECK-NOT: mpi.allreduce
func.func @normalize(%x: tensor<8x4xf32> {cotan.split_axes = [array<i64: 0>]})
    -> (tensor<8x4xf32> {cotan.split_axes = [array<i64: 0>]}) attributes {cotan.mesh = array<i64: 2>} {
  %s = cotan.reduce_sum %x dims = [1] : tensor<8x4xf32> -> tensor<8xf32>
  %k = cotan.reshape %s : tensor<8xf32> -> tensor<8x1xf32>
  %b = cotan.broadcast_in_dim %k dims = [0, 1] : tensor<8x1xf32> -> tensor<8x4xf32>
  %0 = cotan.div %x, %b : tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// Data parallelism: the batch is split, the weights replicated (they stay
// whole, with no slicing or gathering). The contraction over the split
// batch (a weight gradient) sums its per-process parts with an all-reduce.
// CHECK-LABEL: func.func @data_parallel
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[W:.*]]: tensor<4x3xf32>)
// CHECK: %[[XB:.*]] = tensor.extract_slice %[[X]][%{{.*}}, 0] [4, 4] [1, 1] : tensor<8x4xf32> to tensor<4x4xf32>
// CHECK-NOT: tensor.extract_slice %[[W]]
// CHECK: linalg.generic {{.*}} ins(%[[XB]], %[[W]] : tensor<4x4xf32>, tensor<4x3xf32>)
// CHECK: math.tanh
// CHECK: %[[PART:.*]] = linalg.generic {{.*}} ins(%[[XB]], %{{.*}} : tensor<4x4xf32>, tensor<4x3xf32>) outs(%{{.*}} : tensor<4x3xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[PART]]
// CHECK: %[[IN:.*]] = bufferization.to_buffer %[[FLAT]] read_only
// CHECK: mpi.allreduce(%[[IN]], %{{.*}}, MPI_SUM, %{{.*}}) : memref<12xf32>, memref<12xf32>
// CHECK-NOT: mpi.allreduce
func.func @data_parallel(%x: tensor<8x4xf32> {cotan.split_axes = [array<i64: 0>]},
                         %w: tensor<4x3xf32> {cotan.split_axes = []})
    -> tensor<4x3xf32> attributes {cotan.mesh = array<i64: 2>} {
  %0 = cotan.dot_general %x, %w {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
  %1 = cotan.tanh %0 : tensor<8x3xf32>
  %2 = cotan.dot_general %x, %1 {lhs_contracting_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<8x4xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  return %2 : tensor<4x3xf32>
}

// -----

// A one-hot of batch-split labels compares them with a non-splat iota
// constant, which shard-partition cannot rebuild: it is passed into the
// per-process copy as a replicated argument instead. Each process
// broadcasts the iota to its own rows only and compares its own labels;
// only the result is gathered.
// CHECK-LABEL: func.func @one_hot
// CHECK: %[[IOTA:.*]] = arith.constant dense<[0, 1, 2]> : tensor<3xi32>
// CHECK: %[[LB:.*]] = tensor.extract_slice %{{.*}}[%{{.*}}] [2] [1] : tensor<8xi32> to tensor<2xi32>
// CHECK: linalg.generic {{.*}} ins(%[[LB]] : tensor<2xi32>) outs(%{{.*}} : tensor<2x3xi32>)
// CHECK: %[[MINE:.*]] = linalg.generic {{.*}} ins(%[[IOTA]] : tensor<3xi32>) outs(%{{.*}} : tensor<2x3xi32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[MINE]] : tensor<2x3xi32>, tensor<2x3xi32>)
// CHECK: arith.cmpi eq
// CHECK: mpi.allreduce(%{{.*}}, %{{.*}}, MPI_BOR, %{{.*}}) : memref<24xi8>, memref<24xi8>
// CHECK-NOT: mpi.allreduce
func.func @one_hot(%labels: tensor<8xi32> {cotan.split_axes = [array<i64: 0>]})
    -> (tensor<8x3xi1> {cotan.split_axes = [array<i64: 0>]}) attributes {cotan.mesh = array<i64: 4>} {
  %iota = cotan.constant dense<[0, 1, 2]> : tensor<3xi32>
  %l = cotan.broadcast_in_dim %labels dims = [0] : tensor<8xi32> -> tensor<8x3xi32>
  %c = cotan.broadcast_in_dim %iota dims = [1] : tensor<3xi32> -> tensor<8x3xi32>
  %0 = cotan.compare eq, %l, %c : tensor<8x3xi32> -> tensor<8x3xi1>
  return %0 : tensor<8x3xi1>
}

// -----

// Operands split in conflicting ways (rows and columns on one mesh axis):
// propagation leaves the sum without a sharding, so it runs replicated and
// each operand is gathered whole first.
// CHECK-LABEL: func.func @conflicting_operands
// CHECK: %[[AB:.*]] = tensor.extract_slice %{{.*}}[%{{.*}}, 0] [2, 4] [1, 1] : tensor<4x4xf32> to tensor<2x4xf32>
// CHECK: %[[BB:.*]] = tensor.extract_slice %{{.*}}[0, %{{.*}}] [4, 2] [1, 1] : tensor<4x4xf32> to tensor<4x2xf32>
// CHECK-COUNT-2: mpi.allreduce
// CHECK: arith.addf
// CHECK-NOT: mpi.allreduce
func.func @conflicting_operands(%a: tensor<4x4xf32> {cotan.split_axes = [array<i64: 0>]},
                                %b: tensor<4x4xf32> {cotan.split_axes = [array<i64>, array<i64: 0>]})
    -> tensor<4x4xf32> attributes {cotan.mesh = array<i64: 2>} {
  %0 = cotan.add %a, %b : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Only the result is split: the replicated input is sliced where the
// result is, so each process computes just its rows before they are
// gathered back into the global value.
// CHECK-LABEL: func.func @split_result_only
// CHECK: %[[XB:.*]] = tensor.extract_slice %{{.*}}[%{{.*}}, 0] [4, 4] [1, 1] : tensor<8x4xf32> to tensor<4x4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[XB]] : tensor<4x4xf32>)
// CHECK: math.exp
// CHECK: mpi.allreduce
func.func @split_result_only(%x: tensor<8x4xf32>)
    -> (tensor<8x4xf32> {cotan.split_axes = [array<i64: 0>]}) attributes {cotan.mesh = array<i64: 2>} {
  %0 = cotan.exp %x : tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// Functions without a mesh are left alone.
// CHECK-LABEL: func.func @plain
// CHECK-NOT: call
func.func @plain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cotan.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
