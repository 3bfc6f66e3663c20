// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// A callback becomes a call of an external function with the C interface,
// declared once per callback key; boolean operands are passed as bytes, in
// program order with the computation around them.
// CHECK-LABEL: module
// CHECK-DAG: func.func private @cotan_callback_8() attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @cotan_callback_7(tensor<2x3xf32>, tensor<i8>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @f
// CHECK: %[[Y:.*]] = linalg.generic
// CHECK: math.exp
// CHECK: call @cotan_callback_7(%[[Y]], %arg1) : (tensor<2x3xf32>, tensor<i8>) -> ()
// CHECK-NEXT: call @cotan_callback_8() : () -> ()
// CHECK-NEXT: call @cotan_callback_7(%[[Y]], %arg1)

// After bufferization and lowering to LLVM the calls go to the host's
// `_mlir_ciface_` functions, which take pointers to memref descriptors.
// LLVM-LABEL: llvm.func @_mlir_ciface_cotan_callback_7(!llvm.ptr, !llvm.ptr)
// LLVM-LABEL: llvm.func @f(
// LLVM: llvm.call @cotan_callback_7(
// LLVM: llvm.call @cotan_callback_8()
// LLVM: llvm.call @cotan_callback_7(
func.func @f(%x: tensor<2x3xf32>, %b: tensor<i1>) -> tensor<2x3xf32> {
  %y = cotan.exp %x : tensor<2x3xf32>
  cotan.debug_callback 7 (%y, %b : tensor<2x3xf32>, tensor<i1>)
  cotan.debug_callback 8
  cotan.debug_callback 7 (%y, %b : tensor<2x3xf32>, tensor<i1>)
  return %y : tensor<2x3xf32>
}

// -----

// Inside a loop body the call runs once per iteration.
// CHECK-LABEL: func.func @in_loop
// CHECK: scf.for
// CHECK: call @cotan_callback_1
func.func @in_loop(%x: tensor<f32>) -> tensor<f32> {
  %0 = cotan.scan length = 3 (%x) xs () consts () : (tensor<f32>) -> tensor<f32> {
  ^bb0(%c: tensor<f32>):
    cotan.debug_callback 1 (%c : tensor<f32>)
    cotan.yield %c : tensor<f32>
  }
  return %0 : tensor<f32>
}

// -----

// A finiteness check ORs (x - x != 0), true for NaN and +-Inf, over all
// elements and calls the host with its number only when the flag is set.
// CHECK-LABEL: module
// CHECK: func.func private @cotan_nonfinite(i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @checked
// CHECK: %[[FLAG:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]{{.*}} ins(%arg0 : tensor<2x3xf32>) outs(%{{.*}} : tensor<i8>)
// CHECK: %[[D:.*]] = arith.subf %[[IN:.*]], %[[IN]] : f32
// CHECK: arith.cmpf une, %[[D]]
// CHECK: arith.ori
// CHECK: %[[ANY:.*]] = tensor.extract %[[FLAG]][] : tensor<i8>
// CHECK: %[[BAD:.*]] = arith.cmpi ne, %[[ANY]]
// CHECK: scf.if %[[BAD]] {
// CHECK: %[[NUMBER:.*]] = arith.constant 4 : i64
// CHECK: func.call @cotan_nonfinite(%[[NUMBER]]) : (i64) -> ()
func.func @checked(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  cotan.check_finite %x check = 4 : tensor<2x3xf32>
  return %x : tensor<2x3xf32>
}

// -----

// An ffi_call passes plain data pointers (no C interface): of a read-only
// identity-layout buffer of each operand, then of a new buffer per result,
// which becomes the result; boolean results are bytes.
// CHECK-LABEL: module
// CHECK: func.func private @cotan_ffi_3(!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr)
// CHECK-NOT: llvm.emit_c_interface
// CHECK-LABEL: func.func @ffi
// CHECK: %[[X:.*]] = bufferization.to_buffer %arg0 read_only : tensor<4xf32> to memref<4xf32>
// CHECK: %[[XI:.*]] = memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: %[[XA:.*]] = arith.index_cast %[[XI]] : index to i64
// CHECK: %[[XP:.*]] = llvm.inttoptr %[[XA]] : i64 to !llvm.ptr
// CHECK: bufferization.to_buffer %arg1 read_only : tensor<i32> to memref<i32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x2xf32>
// CHECK: %[[FLAGS:.*]] = memref.alloc() : memref<4xi8>
// CHECK: call @cotan_ffi_3(%[[XP]], %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<2x2xf32> to tensor<2x2xf32>
// CHECK: bufferization.to_tensor %[[FLAGS]] restrict writable : memref<4xi8> to tensor<4xi8>
// CHECK: return %[[R]]
func.func @ffi(%x: tensor<4xf32>, %n: tensor<i32>) -> tensor<2x2xf32> {
  %r:2 = cotan.ffi_call "cotan_ffi_3"(%x, %n) : (tensor<4xf32>, tensor<i32>) -> (tensor<2x2xf32>, tensor<4xi1>)
  return %r#0 : tensor<2x2xf32>
}
