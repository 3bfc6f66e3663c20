//===- DistinctResults.cpp - the cotan-distinct-results pass --------------===//
//
// The caller gives each result its own output buffer; a buffer returned
// twice must therefore be copied once per extra occurrence.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_DISTINCTRESULTS
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

/// A new buffer holding a copy of `buffer`.
Value copyOf(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(memref::DimOp::create(b, loc, buffer, d));
  auto copyType = MemRefType::get(type.getShape(), type.getElementType());
  Value copy = memref::AllocOp::create(b, loc, copyType, dynamicSizes);
  memref::CopyOp::create(b, loc, buffer, copy);
  return copy;
}

struct DistinctResults
    : mlir::cotan::impl::DistinctResultsBase<DistinctResults> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp returnOp) {
      OpBuilder b(returnOp);
      SmallPtrSet<Value, 8> seen;
      for (OpOperand &operand : returnOp->getOpOperands()) {
        Value value = operand.get();
        if (!isa<MemRefType>(value.getType()) || seen.insert(value).second)
          continue;
        operand.set(copyOf(b, returnOp.getLoc(), value));
      }
    });
  }
};

} // namespace
