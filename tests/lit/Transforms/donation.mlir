// RUN: cotan-opt %s --split-input-file --cotan-write-donated-inputs | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-cpu-pipeline="kernels=false" --mlir-print-ir-after=cotan-return-donated-buffers -o /dev/null 2>&1 | FileCheck %s --check-prefix=BUFFERS

// The update w - s is the last use of the donated %w: it writes into %w,
// and after bufferization the result is %w's buffer, dropped from the
// results and recorded.
#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @update
// CHECK-SAME: (%[[W:.*]]: tensor<16xf32> {bufferization.writable = true, cotan.donated}, %[[S:.*]]: tensor<16xf32>
// CHECK: linalg.generic {{.*}} ins(%[[W]], %[[S]] : tensor<16xf32>, tensor<16xf32>) outs(%[[W]] : tensor<16xf32>)
// BUFFERS-LABEL: func.func @update
// BUFFERS-SAME: (%[[W:.*]]: memref<16xf32> {cotan.donated}, %{{.*}}: memref<16xf32>) -> memref<f32>
// BUFFERS-SAME: cotan.result_arguments = array<i64: 0, -1>
// BUFFERS: outs(%[[W]] : memref<16xf32>)
// BUFFERS: return %{{.*}} : memref<f32>
func.func @update(%w: tensor<16xf32> {bufferization.writable = true, cotan.donated}, %s: tensor<16xf32> {bufferization.writable = false}) -> (tensor<16xf32>, tensor<f32>) attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %norm = linalg.reduce ins(%w : tensor<16xf32>) outs(%init : tensor<f32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %a = arith.addf %x, %acc : f32
      linalg.yield %a : f32
    }
  %empty = tensor.empty() : tensor<16xf32>
  %new = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%w, %s : tensor<16xf32>, tensor<16xf32>) outs(%empty : tensor<16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<16xf32>
  return %new, %norm : tensor<16xf32>, tensor<f32>
}

// -----

// Not donated, read after the elementwise op (by the return), or read there
// at other indices (a reversal): the outputs stay fresh tensors. The
// donated %b returned as is needs no copy: the caller finds it in place.
#id = affine_map<(d0) -> (d0)>
#rev = affine_map<(d0) -> (15 - d0)>
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-3: outs(%{{.*}} : tensor<16xf32>)
// CHECK-NOT: outs(%arg
// BUFFERS-LABEL: func.func @kept
// BUFFERS-SAME: cotan.result_arguments = array<i64: -1, -1, -1, 1>
func.func @kept(%a: tensor<16xf32> {bufferization.writable = false}, %b: tensor<16xf32> {bufferization.writable = true, cotan.donated}, %c: tensor<16xf32> {bufferization.writable = true, cotan.donated}) -> (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) attributes {llvm.emit_c_interface} {
  %empty = tensor.empty() : tensor<16xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : tensor<16xf32>) outs(%empty : tensor<16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<16xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%b : tensor<16xf32>) outs(%empty : tensor<16xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<16xf32>
  %2 = linalg.generic {indexing_maps = [#id, #rev, #id], iterator_types = ["parallel"]}
      ins(%c, %c : tensor<16xf32>, tensor<16xf32>) outs(%empty : tensor<16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %n = arith.addf %x, %y : f32
    linalg.yield %n : f32
  } -> tensor<16xf32>
  return %0, %1, %2, %b : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>
}
