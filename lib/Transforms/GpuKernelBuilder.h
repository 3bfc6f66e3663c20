//===- GpuKernelBuilder.h - index arithmetic of hand-built GPU kernels -*- C++ -*-===//
//
// The GPU passes that write their own gpu.launch bodies (matrix products,
// block reductions) compute thread and element indices the same way:
// folded index arithmetic, and loads that stay in bounds at the edges.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_LIB_TRANSFORMS_GPUKERNELBUILDER_H
#define COTAN_LIB_TRANSFORMS_GPUKERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace mlir::cotan {

/// Emits folded index arithmetic and guarded loads at a builder's
/// insertion point.
class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value index(int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); }
  Value add(Value x, Value y) { return b.createOrFold<arith::AddIOp>(loc, x, y); }
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, index(y)); }
  Value mul(Value x, Value y) { return b.createOrFold<arith::MulIOp>(loc, x, y); }
  Value mul(Value x, int64_t y) { return mul(x, index(y)); }
  Value less(Value x, Value y) {
    return b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return b.createOrFold<arith::AndIOp>(loc, x, y); }

  /// `memref[indices]`, or `fallback` where `inBounds` is false (the load
  /// itself reads a clamped, valid element).
  Value loadOr(Value memref, ArrayRef<Value> indices, ArrayRef<Value> sizes, Value inBounds,
               Value fallback) {
    SmallVector<Value> clamped;
    Value one = index(1);
    for (auto [i, size] : llvm::zip(indices, sizes))
      clamped.push_back(
          b.createOrFold<arith::MinUIOp>(loc, i, b.createOrFold<arith::SubIOp>(loc, size, one)));
    Value loaded = memref::LoadOp::create(b, loc, memref, clamped);
    return arith::SelectOp::create(b, loc, inBounds, loaded, fallback);
  }

private:
  OpBuilder &b;
  Location loc;
};

} // namespace mlir::cotan

#endif // COTAN_LIB_TRANSFORMS_GPUKERNELBUILDER_H
