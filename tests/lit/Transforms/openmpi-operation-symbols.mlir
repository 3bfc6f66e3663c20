// RUN: cotan-opt %s --split-input-file --cotan-openmpi-operation-symbols | FileCheck %s

// The reductions MPI-to-LLVM declares as @ompi_mpi_<op> are renamed, with
// their uses, to libmpi's @ompi_mpi_op_<op>; other globals are untouched.
// CHECK-LABEL: module
// CHECK-DAG: llvm.mlir.global external @ompi_mpi_op_sum()
// CHECK-DAG: llvm.mlir.global external @ompi_mpi_op_bor()
// CHECK-DAG: llvm.mlir.global external @ompi_mpi_float()
// CHECK: llvm.mlir.addressof @ompi_mpi_op_sum
// CHECK: llvm.mlir.addressof @ompi_mpi_op_bor
// CHECK: llvm.mlir.addressof @ompi_mpi_float
module {
  llvm.mlir.global external @ompi_mpi_sum() {addr_space = 0 : i32} : !llvm.struct<"ompi_predefined_op_t", opaque>
  llvm.mlir.global external @ompi_mpi_bor() {addr_space = 0 : i32} : !llvm.struct<"ompi_predefined_op_t", opaque>
  llvm.mlir.global external @ompi_mpi_float() {addr_space = 0 : i32} : !llvm.struct<"ompi_predefined_datatype_t", opaque>
  llvm.func @handles() -> !llvm.ptr {
    %0 = llvm.mlir.addressof @ompi_mpi_sum : !llvm.ptr
    %1 = llvm.mlir.addressof @ompi_mpi_bor : !llvm.ptr
    %2 = llvm.mlir.addressof @ompi_mpi_float : !llvm.ptr
    llvm.return %0 : !llvm.ptr
  }
}

// -----

// A module that defines such a symbol itself is left alone.
// CHECK-LABEL: module
// CHECK: llvm.mlir.global internal @ompi_mpi_max(0 : i32)
module {
  llvm.mlir.global internal @ompi_mpi_max(0 : i32) : i32
}
