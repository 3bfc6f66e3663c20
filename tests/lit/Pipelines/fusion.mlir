// What the CPU pipeline fuses, checked on the buffers it hands to loop
// lowering: no intermediate is allocated, producers read their inputs once.
// RUN: cotan-opt %s --split-input-file --cotan-cpu-pipeline --mlir-print-ir-before=convert-linalg-to-loops -o /dev/null 2>&1 | FileCheck %s
// The reference lowering without fusion materializes the intermediates
// (x*y and x*y+z share one buffer: bufferization writes in place).
// RUN: cotan-opt %s --split-input-file --cotan-cpu-pipeline="fusion=false kernels=false" --mlir-print-ir-before=convert-linalg-to-loops -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNFUSED
// UNFUSED-LABEL: func.func @fused_reduction
// UNFUSED: %[[T:.*]] = memref.alloc() {{.*}} : memref<4096xf32>
// UNFUSED: outs(%[[T]] : memref<4096xf32>)
// UNFUSED: ins(%[[T]], %arg2 : memref<4096xf32>, memref<4096xf32>) outs(%[[T]] : memref<4096xf32>)
// UNFUSED: ins(%[[T]] : memref<4096xf32>) outs(%arg3 : memref<f32>)
// UNFUSED: memref.dealloc %[[T]]
// UNFUSED-LABEL: func.func @sigmoid_grad
// UNFUSED: memref.alloc

// sum(x * y + z): the elementwise producers fuse into the reduction, one
// vector loop reading the three inputs into a vector accumulator.
// CHECK-LABEL: func.func @fused_reduction
// CHECK-NOT: memref.alloc
// CHECK: %[[ACC:.*]] = scf.for {{.*}} iter_args(%[[PARTIAL:.*]] = %{{.*}}) -> (vector<{{[0-9]+}}xf32>)
// CHECK-DAG: vector.transfer_read %arg0
// CHECK-DAG: vector.transfer_read %arg1
// CHECK-DAG: vector.transfer_read %arg2
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.addf %{{.*}}, %[[PARTIAL]] fastmath<reassoc>
// CHECK: vector.reduction <add>, %[[ACC]] fastmath<reassoc>
// CHECK-NOT: linalg.generic {{.*}} ins(
// CHECK: return
func.func @fused_reduction(%x: tensor<4096xf32>, %y: tensor<4096xf32>, %z: tensor<4096xf32>) -> tensor<f32> {
  %0 = cotan.mul %x, %y : tensor<4096xf32>
  %1 = cotan.add %0, %z : tensor<4096xf32>
  %2 = cotan.reduce_sum %1 dims = [0] : tensor<4096xf32> -> tensor<f32>
  return %2 : tensor<f32>
}

// -----

// The gradient of sum(sigmoid(x)): forward and backward sweeps fuse into one
// vector loop over x, with exp approximated inline.
// CHECK-LABEL: func.func @sigmoid_grad
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.generic
// CHECK: scf.for
// CHECK: vector.transfer_read %arg0
// CHECK-NOT: vector.transfer_read
// CHECK: vector.transfer_write {{.*}}, %arg1
// CHECK-NOT: linalg.generic
// CHECK-NOT: math.exp
// CHECK: return
func.func private @sigmoid_sum(%x: tensor<4096xf32>) -> tensor<f32> {
  %one = cotan.constant dense<1.0> : tensor<4096xf32>
  %n = cotan.neg %x : tensor<4096xf32>
  %e = cotan.exp %n : tensor<4096xf32>
  %d = cotan.add %one, %e : tensor<4096xf32>
  %s = cotan.div %one, %d : tensor<4096xf32>
  %r = cotan.reduce_sum %s dims = [0] : tensor<4096xf32> -> tensor<f32>
  return %r : tensor<f32>
}
func.func @sigmoid_grad(%x: tensor<4096xf32>) -> tensor<4096xf32> {
  %ct = cotan.constant dense<1.0> : tensor<f32>
  %y, %g = cotan.vjp @sigmoid_sum(%x) cotangents(%ct) : (tensor<4096xf32>, tensor<f32>) -> (tensor<f32>, tensor<4096xf32>)
  return %g : tensor<4096xf32>
}
