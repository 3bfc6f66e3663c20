//===- CheckFinite.cpp - the cotan-check-finite pass ----------------------===//
//
// debug_nans: every float value a cotan op produces is checked where it is
// produced, so the first non-finite one is reported with the op, its
// source line and its pass, before it spreads into everything downstream.
//
//===----------------------------------------------------------------------===//

#include "BackwardLocation.h"
#include "cotan/IR/CotanOps.h"
#include "cotan/Transforms/Passes.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_CHECKFINITE
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// `file:line` of the first file location in `loc`, or "unknown".
std::string sourceLine(Location loc) {
  std::string text = "unknown";
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      text = (file.getFilename().getValue() + ":" + Twine(file.getLine())).str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return text;
}

bool producesFloats(Operation *op) {
  return llvm::any_of(op->getResultTypes(), [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && isa<FloatType>(tensor.getElementType());
  });
}

struct CheckFinite : mlir::cotan::impl::CheckFiniteBase<CheckFinite> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = module.getContext();
    SmallVector<Operation *> producers;
    module.walk([&](Operation *op) {
      if (isa<CotanDialect>(op->getDialect()) && !isa<ConstantOp>(op) &&
          producesFloats(op))
        producers.push_back(op);
    });
    SmallVector<Attribute> checks;
    for (Operation *op : producers) {
      OpBuilder b(op->getContext());
      b.setInsertionPointAfter(op);
      for (Value result : op->getResults()) {
        auto type = cast<RankedTensorType>(result.getType());
        if (!isa<FloatType>(type.getElementType()))
          continue;
        CheckFiniteOp::create(b, op->getLoc(), result, checks.size());
        NamedAttribute fields[] = {
            b.getNamedAttr("op", b.getStringAttr(op->getName().getStringRef())),
            b.getNamedAttr("loc", b.getStringAttr(sourceLine(op->getLoc()))),
            b.getNamedAttr("pass", b.getStringAttr(isBackwardLocation(op->getLoc())
                                                       ? "backward"
                                                       : "forward"))};
        checks.push_back(DictionaryAttr::get(context, fields));
      }
    }
    module->setAttr("cotan.finite_checks", ArrayAttr::get(context, checks));
  }
};

} // namespace
