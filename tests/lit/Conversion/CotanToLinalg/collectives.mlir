// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg --canonicalize | FileCheck %s

// An all-reduce over the whole mesh is one MPI_Allreduce of the flattened
// operand (read in place) into a fresh buffer on the world communicator.
// CHECK-LABEL: func.func @all_reduce
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: %[[IN:.*]] = bufferization.to_buffer %[[FLAT]] read_only : tensor<6xf32> to memref<6xf32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<6xf32>
// CHECK: %[[WORLD:.*]] = mpi.comm_world : !mpi.comm
// CHECK: mpi.allreduce(%[[IN]], %[[OUT]], MPI_SUM, %[[WORLD]]) : memref<6xf32>, memref<6xf32>
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: %[[R:.*]] = tensor.expand_shape %[[T]] {{\[\[}}0, 1]] output_shape [2, 3]
// CHECK: return %[[R]]
func.func @all_reduce(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.all_reduce sum %x mesh = [4] axes = [0] : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A scalar is reduced as a one-element buffer.
// CHECK-LABEL: func.func @scalar_min
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1] : tensor<f64> into tensor<1xf64>
// CHECK: mpi.allreduce(%{{.*}}, %{{.*}}, MPI_MIN, %{{.*}}) : memref<1xf64>, memref<1xf64>
// CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1xf64> into tensor<f64>
func.func @scalar_min(%x: tensor<f64>) -> tensor<f64> {
  %0 = cotan.all_reduce min %x mesh = [2] axes = [0] : tensor<f64>
  return %0 : tensor<f64>
}

// -----

// Groups along axis 1 of a 2x3 mesh: each of the 2 groups reduces in its
// own slot (the group is the coordinate along axis 0, rank / 3 mod 2),
// the other slot holding max's identity; no communicator is split.
// CHECK-LABEL: func.func @subgroup_max
// CHECK-SAME: (%[[X:.*]]: tensor<3xi32>)
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[LOWEST:.*]] = arith.constant -2147483648 : i32
// CHECK: %[[RANK:.*]] = mpi.comm_rank(%{{.*}}) : i32
// CHECK: %[[R:.*]] = arith.index_cast %[[RANK]] : i32 to index
// CHECK: %[[ROW:.*]] = arith.divui %[[R]], %[[C3]] : index
// CHECK: %[[GROUP:.*]] = arith.remui %[[ROW]], %[[C2]] : index
// CHECK: %[[AT:.*]] = arith.muli %[[GROUP]], %[[C3]] : index
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[LOWEST]] : i32) outs(%{{.*}} : tensor<6xi32>)
// CHECK: %[[SLOTS:.*]] = tensor.insert_slice %[[X]] into %[[FILL]][%[[AT]]] [3] [1]
// CHECK: %[[IN:.*]] = bufferization.to_buffer %[[SLOTS]] read_only
// CHECK: mpi.allreduce(%[[IN]], %[[OUT:.*]], MPI_MAX, %{{.*}}) : memref<6xi32>, memref<6xi32>
// CHECK: %[[ALL:.*]] = bufferization.to_tensor %[[OUT]]
// CHECK: %[[MINE:.*]] = tensor.extract_slice %[[ALL]][%[[AT]]] [3] [1]
// CHECK: return %[[MINE]]
func.func @subgroup_max(%x: tensor<3xi32>) -> tensor<3xi32> {
  %0 = cotan.all_reduce max %x mesh = [2, 3] axes = [1] : tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// A gather ORs the bits each process placed at its position: floats are
// bitcast to integers and back, so every value arrives exactly.
// CHECK-LABEL: func.func @all_gather
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[RANK:.*]] = mpi.comm_rank
// CHECK: %[[POS:.*]] = arith.remui
// CHECK: %[[BITS:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xi32>)
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%{{.*}} : tensor<2x6xi32>)
// CHECK: %[[AT:.*]] = arith.muli %[[POS]], %{{.*}} : index
// CHECK: tensor.insert_slice %[[BITS]] into %[[ZEROS]][0, %[[AT]]] [2, 3] [1, 1]
// CHECK: mpi.allreduce(%{{.*}}, %{{.*}}, MPI_BOR, %{{.*}}) : memref<12xi32>, memref<12xi32>
// CHECK: linalg.generic
// CHECK: arith.bitcast %{{.*}} : i32 to f32
func.func @all_gather(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  %0 = cotan.all_gather %x dim = 1 mesh = [2] axes = [0] : tensor<2x3xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// reduce_scatter: the group's sum, then this process's block of it.
// CHECK-LABEL: func.func @reduce_scatter
// CHECK: %[[POS:.*]] = arith.remui
// CHECK: mpi.allreduce(%{{.*}}, %{{.*}}, MPI_SUM, %{{.*}}) : memref<8xf64>, memref<8xf64>
// CHECK: %[[AT:.*]] = arith.muli %[[POS]], %{{.*}} : index
// CHECK: tensor.extract_slice %{{.*}}[%[[AT]], 0] [2, 2] [1, 1] : tensor<4x2xf64> to tensor<2x2xf64>
func.func @reduce_scatter(%x: tensor<4x2xf64>) -> tensor<2x2xf64> {
  %0 = cotan.reduce_scatter %x dim = 0 mesh = [2] axes = [0] : tensor<4x2xf64> -> tensor<2x2xf64>
  return %0 : tensor<2x2xf64>
}

// -----

// all_to_all: block j of the split dimension goes to slot j, at this
// process's position along the concat dimension; this process keeps its
// own slot of the OR.
// CHECK-LABEL: func.func @all_to_all
// CHECK: %[[POS:.*]] = arith.remui
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<2x2x6xi64>)
// CHECK: %[[B0:.*]] = tensor.extract_slice %{{.*}}[0, 0] [2, 3] [1, 1] : tensor<4x3xi64> to tensor<2x3xi64>
// CHECK: %[[S0:.*]] = tensor.insert_slice %[[B0]] into %[[ZEROS]][0, 0, %[[AT:.*]]] [1, 2, 3] [1, 1, 1]
// CHECK: %[[B1:.*]] = tensor.extract_slice %{{.*}}[2, 0] [2, 3] [1, 1] : tensor<4x3xi64> to tensor<2x3xi64>
// CHECK: %[[S1:.*]] = tensor.insert_slice %[[B1]] into %[[S0]][1, 0, %[[AT]]] [1, 2, 3] [1, 1, 1]
// CHECK: mpi.allreduce(%{{.*}}, %{{.*}}, MPI_BOR, %{{.*}}) : memref<24xi64>, memref<24xi64>
// CHECK: tensor.extract_slice %{{.*}}[%[[POS]], 0, 0] [1, 2, 6] [1, 1, 1] : tensor<2x2x6xi64> to tensor<2x6xi64>
func.func @all_to_all(%x: tensor<4x3xi64>) -> tensor<2x6xi64> {
  %0 = cotan.all_to_all %x split = 0 concat = 1 mesh = [2] axes = [0] : tensor<4x3xi64> -> tensor<2x6xi64>
  return %0 : tensor<2x6xi64>
}

// -----

// A broadcast: the root contributes its bits, the others zeros.
// CHECK-LABEL: func.func @collective_broadcast
// CHECK-DAG: %[[ROOT:.*]] = arith.constant 1 : index
// CHECK: %[[POS:.*]] = arith.remui
// CHECK: %[[IS:.*]] = arith.cmpi eq, %[[POS]], %[[ROOT]] : index
// CHECK: %[[MINE:.*]] = arith.select %[[IS]], %{{.*}}, %{{.*}} : tensor<3xi32>
// CHECK: mpi.allreduce(%{{.*}}, %{{.*}}, MPI_BOR, %{{.*}}) : memref<3xi32>, memref<3xi32>
func.func @collective_broadcast(%x: tensor<3xi32>) -> tensor<3xi32> {
  %0 = cotan.collective_broadcast %x root = 1 mesh = [4] axes = [0] : tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// axis_index: coordinates from the world rank, linearized along the axes
// in the order given (here axis 1 then axis 0 of a 2x3 mesh).
// CHECK-LABEL: func.func @axis_index
// CHECK: %[[RANK:.*]] = mpi.comm_rank
// CHECK: %[[R:.*]] = arith.index_cast %[[RANK]] : i32 to index
// CHECK: %[[COL:.*]] = arith.remui %[[R]], %{{.*}} : index
// CHECK: %[[ROWS:.*]] = arith.divui %[[R]], %{{.*}} : index
// CHECK: %[[ROW:.*]] = arith.remui %[[ROWS]], %{{.*}} : index
// CHECK: %[[SCALED:.*]] = arith.muli %[[COL]], %{{.*}} : index
// CHECK: %[[LIN:.*]] = arith.addi %[[SCALED]], %[[ROW]] : index
// CHECK: %[[I:.*]] = arith.index_cast %[[LIN]] : index to i32
// CHECK: tensor.from_elements %[[I]] : tensor<i32>
func.func @axis_index() -> tensor<i32> {
  %0 = cotan.axis_index mesh = [2, 3] axes = [1, 0] : tensor<i32>
  return %0 : tensor<i32>
}
