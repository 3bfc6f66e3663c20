//===- GpuDeviceMemory.cpp - the cotan-gpu-device-memory pass -------------===//
//
// After bufferization and the mapping of parallel loops to gpu.launch, the
// host code allocates, copies and frees ordinary memrefs. Kernels read and
// write device memory, so every buffer a kernel (or the caller) can see
// moves there. A buffer only the host touches, such as the ownership flags
// of the deallocation lowering, stays where it is.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_GPUDEVICEMEMORY
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

bool onHost(Operation *op) { return !op->getParentOfType<gpu::LaunchOp>(); }

/// Whether only host loads, stores and frees reach `buffer` (through views).
bool hostOnly(Value buffer) {
  for (Operation *user : buffer.getUsers()) {
    if (!onHost(user))
      return false;
    if (isa<memref::LoadOp, memref::DeallocOp>(user))
      continue;
    if (auto store = dyn_cast<memref::StoreOp>(user)) {
      if (store.getMemRef() == buffer)
        continue;
      return false;
    }
    auto view = dyn_cast<ViewLikeOpInterface>(user);
    if (view && view.getViewSource() == buffer &&
        llvm::all_of(user->getResults(), hostOnly))
      continue;
    return false;
  }
  return true;
}

/// The allocation `buffer` is a view of, if any.
Operation *allocationOf(Value buffer) {
  while (Operation *def = buffer.getDefiningOp()) {
    if (isa<memref::AllocOp, memref::AllocaOp, gpu::AllocOp>(def))
      return def;
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      return nullptr;
    buffer = view.getViewSource();
  }
  return nullptr;
}

/// Device memory is whatever the host does not own: allocations left on
/// the host are memref.alloc/alloca ones.
bool onDevice(Value buffer) {
  Operation *allocation = allocationOf(buffer);
  return !allocation || isa<gpu::AllocOp>(allocation);
}

/// A one-element host buffer and the matching one-element view of `buffer`
/// at `indices`, for copying a scalar between host and device.
std::pair<Value, Value> scalarWindow(OpBuilder &b, Location loc, Value buffer,
                                     ValueRange indices) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> ones(type.getRank(), 1);
  Value host = memref::AllocaOp::create(
      b, loc, MemRefType::get(ones, type.getElementType()));
  if (type.getRank() == 0)
    return {host, buffer};
  SmallVector<OpFoldResult> offsets(indices.begin(), indices.end());
  SmallVector<OpFoldResult> sizes(type.getRank(), b.getIndexAttr(1));
  Value device = memref::SubViewOp::create(b, loc, buffer, offsets, sizes, sizes);
  return {host, device};
}

void copy(OpBuilder &b, Location loc, Value to, Value from) {
  gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{}, to, from);
}

struct GpuDeviceMemory
    : mlir::cotan::impl::GpuDeviceMemoryBase<GpuDeviceMemory> {
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    // Host calls would hand device pointers to host code.
    WalkResult calls = function.walk([&](func::CallOp call) {
      auto module = function->getParentOfType<ModuleOp>();
      auto callee = module ? module.lookupSymbol<func::FuncOp>(call.getCallee()) : nullptr;
      if (callee && callee.isExternal()) {
        call.emitError("'") << call.getCallee()
                            << "' runs on the host and cannot be called from a GPU program "
                               "(debug callbacks, check_finite and ffi_call are CPU-only)";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (calls.wasInterrupted())
      return signalPassFailure();

    OpBuilder b(&getContext());
    SmallVector<Operation *> hostOps;
    function.walk([&](Operation *op) {
      if (onHost(op))
        hostOps.push_back(op);
    });
    // Allocations and constants first, so the loads and stores below know
    // which buffers are on the device.
    for (Operation *op : hostOps) {
      b.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        if (hostOnly(alloc))
          continue;
        auto device = gpu::AllocOp::create(b, alloc.getLoc(), alloc.getType(), Type(),
                                           ValueRange{}, alloc.getDynamicSizes(),
                                           alloc.getSymbolOperands(), false);
        alloc.replaceAllUsesWith(device.getMemref());
        alloc.erase();
      } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        if (hostOnly(global))
          continue;
        // A device copy per execution of the block, freed at its end.
        b.setInsertionPointAfter(global);
        Location loc = global.getLoc();
        auto device = gpu::AllocOp::create(b, loc, global.getType(), Type(), ValueRange{},
                                           ValueRange{}, ValueRange{}, false);
        global.getResult().replaceAllUsesWith(device.getMemref());
        copy(b, loc, device.getMemref(), global);
        b.setInsertionPoint(global->getBlock()->getTerminator());
        gpu::DeallocOp::create(b, loc, TypeRange{}, ValueRange{}, device.getMemref());
      }
    }
    for (Operation *op : hostOps) {
      b.setInsertionPoint(op);
      Location loc = op->getLoc();
      if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        if (!onDevice(dealloc.getMemref()))
          continue;
        gpu::DeallocOp::create(b, loc, TypeRange{}, ValueRange{}, dealloc.getMemref());
        dealloc.erase();
      } else if (auto memcpy = dyn_cast<memref::CopyOp>(op)) {
        copy(b, loc, memcpy.getTarget(), memcpy.getSource());
        memcpy.erase();
      } else if (auto load = dyn_cast<memref::LoadOp>(op)) {
        if (!onDevice(load.getMemRef()))
          continue;
        auto [host, device] = scalarWindow(b, loc, load.getMemRef(), load.getIndices());
        copy(b, loc, host, device);
        SmallVector<Value> zeros(load.getIndices().size(),
                                 arith::ConstantIndexOp::create(b, loc, 0));
        load.replaceAllUsesWith(memref::LoadOp::create(b, loc, host, zeros).getResult());
        load.erase();
      } else if (auto store = dyn_cast<memref::StoreOp>(op)) {
        if (!onDevice(store.getMemRef()))
          continue;
        auto [host, device] = scalarWindow(b, loc, store.getMemRef(), store.getIndices());
        SmallVector<Value> zeros(store.getIndices().size(),
                                 arith::ConstantIndexOp::create(b, loc, 0));
        memref::StoreOp::create(b, loc, store.getValue(), host, zeros);
        copy(b, loc, device, host);
        store.erase();
      }
    }
  }
};

} // namespace
