// RUN: cotan-opt %s --split-input-file --cotan-gpu-pipeline="format=isa" | FileCheck %s
// RUN: cotan-opt %s --split-input-file --cotan-gpu-pipeline="format=isa chip=sm_75 features=+ptx70" | FileCheck %s --check-prefix=SM75
// The GPU pipeline end to end, without a GPU: kernels serialize to PTX for
// sm_90 (the default chip), the host code calls the CUDA runtime wrappers.

// A fused elementwise chain is one kernel: 1024 elements in 4 blocks of
// 256 threads; exp (f32) is a polynomial, so no libdevice call remains.
// CHECK-LABEL: llvm.func @elementwise
// CHECK: %[[STREAM:.*]] = llvm.call @mgpuStreamCreate()
// CHECK: gpu.launch_func <%[[STREAM]] : !llvm.ptr> @elementwise_kernel::@elementwise_kernel blocks in (%[[FOUR:.*]], %{{.*}}, %{{.*}}) threads in (%[[BLOCK:.*]], %{{.*}}, %{{.*}})
// CHECK: llvm.call @mgpuStreamSynchronize(%[[STREAM]])
// CHECK: gpu.binary @elementwise_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// CHECK-SAME: .target sm_90
// CHECK-SAME: .visible .entry elementwise_kernel(
// CHECK-SAME: .maxntid 256, 1, 1
// CHECK-SAME: mov.u32 {{.*}}%ctaid.x
// CHECK-SAME: mov.u32 {{.*}}%tid.x
// CHECK-SAME: ld.global
// CHECK-SAME: mul.rn.f32
// CHECK-SAME: fma.rn.f32
// CHECK-SAME: st.global
// CHECK-NOT: call.uni
func.func @elementwise(%x: tensor<1024xf32>, %y: tensor<1024xf32>) -> tensor<1024xf32> attributes {llvm.emit_c_interface} {
  %0 = cotan.mul %x, %y : tensor<1024xf32>
  %1 = cotan.exp %0 : tensor<1024xf32>
  return %1 : tensor<1024xf32>
}

// -----

// A row reduction: a block of 256 threads per row strides through it
// (coalesced loads), then the partial sums meet in a tree in shared
// memory, a barrier between levels.
// CHECK-LABEL: llvm.func @row_sums
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @row_sums_kernel::@row_sums_kernel
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @row_sums_kernel_0::@row_sums_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) : i64 args(
// CHECK: gpu.binary @row_sums_kernel_0
// CHECK-SAME: .entry row_sums_kernel(
// CHECK-SAME: .maxntid 256, 1, 1
// CHECK-SAME: .shared .align 4 .b8 __wg_row_sums_kernel_0[1024]
// CHECK-SAME: ld.global
// CHECK-SAME: add.rn.f32
// CHECK-SAME: st.shared.b32
// CHECK-SAME: bar.sync
// CHECK-SAME: ld.shared.b32
func.func @row_sums(%x: tensor<300x500xf32>) -> tensor<300xf32> attributes {llvm.emit_c_interface} {
  %0 = cotan.reduce_sum %x dims = [1] : tensor<300x500xf32> -> tensor<300xf32>
  return %0 : tensor<300xf32>
}

// -----

// A matmul: the accumulator is zeroed by one kernel, then blocks of 16x16
// threads compute 64x64 tiles: operand slices staged in shared memory
// between barriers, 4x4 outputs per thread accumulated with FMAs.
// CHECK-LABEL: llvm.func @matmul
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @matmul_kernel::@matmul_kernel
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @matmul_kernel_0::@matmul_kernel
// CHECK: gpu.binary @matmul_kernel_0
// CHECK-SAME: .entry matmul_kernel(
// CHECK-SAME: .shared .align 4 .b8 __wg_matmul_kernel_0[4160]
// CHECK-SAME: st.shared.b32
// CHECK-SAME: bar.sync
// CHECK-SAME: ld.shared.b32
// CHECK-SAME: fma.rn.f32
// CHECK-SAME: bar.sync
func.func @matmul(%a: tensor<128x64xf32>, %b: tensor<64x96xf32>) -> tensor<128x96xf32> attributes {llvm.emit_c_interface} {
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<128x64xf32>, tensor<64x96xf32>) -> tensor<128x96xf32>
  return %0 : tensor<128x96xf32>
}

// -----

// A temporary (the matmul's result) lives in device memory; a scalar the
// host computes with is copied back first; a reduction of every element
// runs in a kernel.
// CHECK-LABEL: llvm.func @scaled_total
// CHECK: %[[TEMP:.*]] = llvm.call @mgpuMemAlloc
// CHECK: gpu.launch_func
// CHECK: gpu.launch_func
// CHECK: gpu.launch_func
// CHECK: llvm.call @mgpuMemcpy
// CHECK: llvm.call @mgpuStreamSynchronize
// CHECK: llvm.fmul
// CHECK: llvm.call @mgpuMemFree(%[[TEMP]]
func.func @scaled_total(%x: tensor<64x32xf32>, %w: tensor<32x16xf32>) -> tensor<f32> attributes {llvm.emit_c_interface} {
  %0 = cotan.dot_general %x, %w {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<64x32xf32>, tensor<32x16xf32>) -> tensor<64x16xf32>
  %1 = cotan.tanh %0 : tensor<64x16xf32>
  %2 = cotan.reduce_sum %1 dims = [0, 1] : tensor<64x16xf32> -> tensor<f32>
  %c = cotan.constant dense<0.5> : tensor<f32>
  %3 = cotan.mul %2, %c : tensor<f32>
  return %3 : tensor<f32>
}

// -----

// bf16 products accumulate in f32 on tensor cores (sm_80 and later);
// older chips get the FMA kernel.
// CHECK-LABEL: llvm.func @bf16_matmul
// CHECK: gpu.binary @bf16_matmul_kernel_0
// CHECK-SAME: ld.shared.b32
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM75-LABEL: llvm.func @bf16_matmul
// SM75-NOT: mma.sync
// SM75: llvm.return
func.func @bf16_matmul(%a: tensor<128x64xbf16>, %b: tensor<64x96xbf16>) -> tensor<128x96xbf16> attributes {llvm.emit_c_interface} {
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<128x64xbf16>, tensor<64x96xbf16>) -> tensor<128x96xbf16>
  return %0 : tensor<128x96xbf16>
}
