//===- ExpandAutodiff.cpp - the cotan-expand-autodiff pass ----------------===//
//
// Expands cotan.vjp/cotan.jvp requests innermost first: a request is ready
// when nothing its callee reaches still contains a request. The callee is
// copied with its calls inlined, differentiated, and the request becomes a
// call to the generated function (which later requests may differentiate
// again: that is how derivatives compose to any order).
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/ScopeExit.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_EXPANDAUTODIFF
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using namespace mlir::cotan;

namespace {

/// True if `function`, or any function it refers to (calls, custom rules),
/// holds a request.
bool reachesRequest(func::FuncOp function, SymbolTable &symbols,
                    DenseSet<Operation *> &visited) {
  if (!visited.insert(function).second)
    return false;
  WalkResult result = function.walk([&](Operation *op) {
    if (isa<VjpOp, JvpOp>(op))
      return WalkResult::interrupt();
    for (NamedAttribute attr : op->getAttrs())
      if (auto ref = dyn_cast<FlatSymbolRefAttr>(attr.getValue()))
        if (auto callee = symbols.lookup<func::FuncOp>(ref.getValue()))
          if (reachesRequest(callee, symbols, visited))
            return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}

/// Calls with custom rules that no derivative needed are plain calls.
void lowerCustomCalls(ModuleOp module) {
  SmallVector<Operation *> custom;
  module.walk([&](Operation *op) {
    if (isa<CustomVjpOp, CustomJvpOp>(op))
      custom.push_back(op);
  });
  for (Operation *op : custom) {
    OpBuilder b(op);
    auto call = func::CallOp::create(
        b, op->getLoc(), op->getAttrOfType<FlatSymbolRefAttr>("callee"),
        op->getResultTypes(), op->getOperands());
    op->replaceAllUsesWith(call.getResults());
    op->erase();
  }
}

/// Replaces every func.call in the single-block `function` by the callee's
/// body, repeatedly, so it can be differentiated op by op.
LogicalResult inlineCalls(func::FuncOp function, SymbolTable &symbols) {
  for (int depth = 0; depth < 64; ++depth) {
    SmallVector<func::CallOp> calls;
    function.walk([&](func::CallOp call) { calls.push_back(call); });
    if (calls.empty())
      return success();
    for (func::CallOp call : calls) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      if (!callee || callee.isExternal() || !callee.getBody().hasOneBlock())
        return call.emitOpError("cannot be differentiated: its callee is not "
                                "a single-block function in this module");
      OpBuilder b(call);
      IRMapping map;
      Block &body = callee.front();
      map.map(body.getArguments(), call.getOperands());
      for (Operation &op : body.without_terminator())
        b.clone(op, map);
      for (auto [result, value] :
           llvm::zip(call.getResults(), body.getTerminator()->getOperands()))
        result.replaceAllUsesWith(map.lookup(value));
      call.erase();
    }
  }
  return function.emitOpError("cannot be differentiated: calls nest deeper "
                              "than 64 levels (recursion?)");
}

struct ExpandAutodiff
    : mlir::cotan::impl::ExpandAutodiffBase<ExpandAutodiff> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    while (true) {
      SmallVector<Operation *> requests;
      module.walk([&](Operation *op) {
        if (isa<VjpOp, JvpOp>(op))
          requests.push_back(op);
      });
      if (requests.empty()) {
        lowerCustomCalls(module);
        return;
      }
      Operation *ready = nullptr;
      for (Operation *request : requests) {
        auto callee = symbols.lookup<func::FuncOp>(
            request->getAttrOfType<FlatSymbolRefAttr>("callee").getValue());
        if (!callee) {
          request->emitOpError("callee is not a func.func in this module");
          return signalPassFailure();
        }
        DenseSet<Operation *> visited;
        if (!reachesRequest(callee, symbols, visited)) {
          ready = request;
          break;
        }
      }
      if (!ready) {
        requests.front()->emitOpError(
            "differentiates a function that (transitively) differentiates "
            "itself");
        return signalPassFailure();
      }
      if (failed(expand(ready, symbols)))
        return signalPassFailure();
    }
  }

  LogicalResult expand(Operation *request, SymbolTable &symbols) {
    auto calleeName = request->getAttrOfType<FlatSymbolRefAttr>("callee");
    auto callee = symbols.lookup<func::FuncOp>(calleeName.getValue());
    func::FuncOp flat = callee.clone();
    auto cleanup = llvm::make_scope_exit([&] { flat.erase(); });
    if (failed(inlineCalls(flat, symbols)))
      return failure();
    bool reverse = isa<VjpOp>(request);
    std::string name =
        (calleeName.getValue() + (reverse ? "_vjp" : "_jvp")).str();
    FailureOr<func::FuncOp> derivative =
        reverse ? buildAdjointFunction(flat, name, symbols)
                : buildTangentFunction(flat, name, symbols);
    if (failed(derivative))
      return request->emitOpError("failed to differentiate '")
             << calleeName.getValue() << "'";
    OpBuilder b(request);
    auto call = func::CallOp::create(b, request->getLoc(), *derivative,
                                     request->getOperands());
    request->replaceAllUsesWith(call.getResults());
    request->erase();
    return success();
  }
};

} // namespace
