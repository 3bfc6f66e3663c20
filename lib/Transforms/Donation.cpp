//===- Donation.cpp - results computed in donated arguments ---------------===//
//
// jit(f, donate_argnums=...) lets a function overwrite an input: an SGD
// step updates the parameters in place instead of allocating new ones.
// Before bufferization, the last elementwise op on a donated argument is
// made to write into it (cotan-write-donated-inputs); after bufferization,
// results that ended up in a donated argument's buffer are dropped and
// their location recorded for the caller (cotan-return-donated-buffers).
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_WRITEDONATEDINPUTS
#define GEN_PASS_DEF_RETURNDONATEDBUFFERS
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;

namespace {

// Bufferization drops its own `bufferization.writable` argument attribute,
// so donated arguments carry this one too.
constexpr StringLiteral kDonated = "cotan.donated";
constexpr StringLiteral kResultArguments = "cotan.result_arguments";

bool isDonated(func::FuncOp function, unsigned index) {
  return function.getArgAttr(index, kDonated) != nullptr;
}

/// The output of `op` that can take `argument`'s place as its init: a
/// tensor.empty of the same type, not read by the body, written at the
/// indices every read of `argument` in `op` uses.
OpOperand *replaceableInit(linalg::GenericOp op, Value argument) {
  if (op.getNumReductionLoops() != 0)
    return nullptr;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    if (init.get().getType() != argument.getType() ||
        !init.get().getDefiningOp<tensor::EmptyOp>() ||
        op.payloadUsesValueFromOperand(&init))
      continue;
    AffineMap written = op.getMatchingIndexingMap(&init);
    bool sameIndices = llvm::all_of(op.getDpsInputOperands(), [&](OpOperand *in) {
      return in->get() != argument || op.getMatchingIndexingMap(in) == written;
    });
    if (sameIndices)
      return &init;
  }
  return nullptr;
}

struct WriteDonatedInputs
    : mlir::cotan::impl::WriteDonatedInputsBase<WriteDonatedInputs> {
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    Block &entry = function.getBody().front();
    for (BlockArgument argument : entry.getArguments()) {
      if (!isDonated(function, argument.getArgNumber()) ||
          !isa<RankedTensorType>(argument.getType()))
        continue;
      // The last op using the argument, if all its users are in the entry
      // block (later reads would force a copy).
      Operation *last = nullptr;
      bool direct = true;
      for (Operation *user : argument.getUsers()) {
        Operation *top = entry.findAncestorOpInBlock(*user);
        direct &= top == user;
        if (top && (!last || last->isBeforeInBlock(top)))
          last = top;
      }
      auto generic = dyn_cast_or_null<linalg::GenericOp>(last);
      if (!direct || !generic)
        continue;
      if (OpOperand *init = replaceableInit(generic, argument))
        init->set(argument);
    }
  }
};

struct ReturnDonatedBuffers
    : mlir::cotan::impl::ReturnDonatedBuffersBase<ReturnDonatedBuffers> {
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp function) {
      if (function.isExternal() || function.isPrivate())
        return;
      auto returnOp = cast<func::ReturnOp>(function.getBody().back().getTerminator());
      SmallVector<int64_t> locations;
      SmallVector<Value> kept;
      SmallVector<unsigned> dropped;
      for (auto [index, value] : llvm::enumerate(returnOp.getOperands())) {
        auto argument = dyn_cast<BlockArgument>(value);
        bool inArgument = argument && argument.getOwner()->isEntryBlock() &&
                          isDonated(function, argument.getArgNumber()) &&
                          !llvm::is_contained(locations, argument.getArgNumber());
        locations.push_back(inArgument ? int64_t(argument.getArgNumber()) : -1);
        if (inArgument)
          dropped.push_back(index);
        else
          kept.push_back(value);
      }
      if (dropped.empty())
        return;
      returnOp->setOperands(kept);
      llvm::BitVector erase(function.getNumResults());
      for (unsigned index : dropped)
        erase.set(index);
      if (failed(function.eraseResults(erase)))
        return;
      function->setAttr(kResultArguments,
                        DenseI64ArrayAttr::get(function.getContext(), locations));
    });
  }
};

} // namespace
