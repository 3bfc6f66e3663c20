// RUN: cotan-opt %s --split-input-file --cotan-cpu-pipeline | FileCheck %s

// Collectives compile to MPI calls for the ABI the module names: OpenMPI's
// handles are addresses of its predefined objects (its reductions under
// their real names, ompi_mpi_op_*). The buffers go through bufferization
// and deallocation (the mpi ops' memory effects are known).
// CHECK-DAG: llvm.mlir.global external @ompi_mpi_op_sum()
// CHECK-DAG: llvm.mlir.global external @ompi_mpi_float()
// CHECK-DAG: llvm.mlir.global external @ompi_mpi_comm_world()
// CHECK-LABEL: llvm.func @data_parallel_mean
// CHECK-DAG: %[[SUM:.*]] = llvm.mlir.addressof @ompi_mpi_op_sum
// CHECK-DAG: %[[FLOAT:.*]] = llvm.mlir.addressof @ompi_mpi_float
// CHECK-DAG: %[[WORLD:.*]] = llvm.mlir.addressof @ompi_mpi_comm_world
// CHECK: llvm.call @MPI_Allreduce(%{{.*}}, %{{.*}}, %{{.*}}, %[[FLOAT]], %[[SUM]], %{{.*}})
// CHECK: llvm.call @free
module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "OpenMPI">} {
  func.func @data_parallel_mean(%g: tensor<64xf32>) -> tensor<64xf32> {
    %0 = cotan.all_reduce sum %g mesh = [2] axes = [0] : tensor<64xf32>
    %n = cotan.constant dense<2.0> : tensor<64xf32>
    %1 = cotan.div %0, %n : tensor<64xf32>
    return %1 : tensor<64xf32>
  }
}

// -----

// MPICH's handles are integer constants.
// CHECK: llvm.func @MPI_Allreduce(!llvm.ptr, !llvm.ptr, i32, i32, i32, i32) -> i32
// CHECK-LABEL: llvm.func @gather_mpich
// CHECK: llvm.call @MPI_Comm_rank
// CHECK: llvm.call @MPI_Allreduce
// CHECK-NOT: ompi_mpi
module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "MPICH">} {
  func.func @gather_mpich(%x: tensor<2x3xf64>) -> tensor<4x3xf64> {
    %0 = cotan.all_gather %x dim = 0 mesh = [2] axes = [0] : tensor<2x3xf64> -> tensor<4x3xf64>
    return %0 : tensor<4x3xf64>
  }
}
