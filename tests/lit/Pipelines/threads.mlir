// The threads option of the CPU pipeline: a large elementwise loop is
// split into tasks on the async runtime's workers unless threads=1, which
// leaves no parallel loop (and no runtime call) at all.
// RUN: cotan-opt %s --cotan-cpu-pipeline | FileCheck %s --check-prefix=ALL
// RUN: cotan-opt %s --cotan-cpu-pipeline="threads=2" | FileCheck %s --check-prefix=ALL
// RUN: cotan-opt %s --cotan-cpu-pipeline="threads=1" | FileCheck %s --check-prefix=ONE

// ALL-LABEL: llvm.func @big
// ALL: llvm.call @mlirAsyncRuntimeExecute
// ONE-LABEL: llvm.func @big
// ONE-NOT: mlirAsyncRuntime
// ONE: llvm.return
func.func @big(%x: tensor<1048576xf32>) -> tensor<1048576xf32> {
  %0 = cotan.tanh %x : tensor<1048576xf32>
  return %0 : tensor<1048576xf32>
}
