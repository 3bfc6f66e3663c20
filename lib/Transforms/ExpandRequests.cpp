//===- ExpandRequests.cpp - cotan-expand-{autodiff,transforms}, cotan-vmap -===//
//
// Expands transformation requests (cotan.vjp, cotan.jvp, cotan.vmap)
// innermost first: a request is ready when nothing its callee reaches still
// contains a request. The callee is copied with its calls inlined,
// transformed, and the request becomes a call to the generated function
// (which later requests may transform again: that is how transformations
// compose). The three passes share this driver and differ in the kinds of
// request they expand.
//
//===----------------------------------------------------------------------===//

#include "cotan/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/ScopeExit.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_EXPANDAUTODIFF
#define GEN_PASS_DEF_EXPANDTRANSFORMS
#define GEN_PASS_DEF_VMAP
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using namespace mlir::cotan;

namespace {

enum RequestKind : unsigned { kAutodiff = 1, kBatching = 2 };

bool isRequest(Operation *op) { return isa<VjpOp, JvpOp, VmapOp>(op); }

unsigned kindOf(Operation *op) {
  return isa<VmapOp>(op) ? kBatching : kAutodiff;
}

/// True if `function`, or any function it refers to (calls, custom rules),
/// holds a request.
bool reachesRequest(func::FuncOp function, SymbolTable &symbols,
                    DenseSet<Operation *> &visited) {
  if (!visited.insert(function).second)
    return false;
  WalkResult result = function.walk([&](Operation *op) {
    if (isRequest(op))
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

/// A derivative request also returns its callee's results. A call of the
/// same callee on the same primals, earlier in the block, whose results
/// are only used after the request, is redundant: its uses take the
/// request's results instead, so the callee's side effects (debug
/// callbacks) happen once, as written.
void absorbPrimalCall(Operation *request, FlatSymbolRefAttr callee,
                      ValueRange primals) {
  Block *block = request->getBlock();
  for (Operation &op : *block) {
    if (&op == request)
      return;
    auto call = dyn_cast<func::CallOp>(&op);
    if (!call || call.getCalleeAttr() != callee ||
        call.getOperands() != primals)
      continue;
    bool onlyUsedAfter = llvm::all_of(call->getUsers(), [&](Operation *user) {
      Operation *inBlock = block->findAncestorOpInBlock(*user);
      return inBlock && request->isBeforeInBlock(inBlock);
    });
    if (!onlyUsedAfter)
      continue;
    call.replaceAllUsesWith(request->getResults().take_front(call.getNumResults()));
    call.erase();
    return;
  }
}

LogicalResult expand(Operation *request, SymbolTable &symbols) {
  auto calleeName = request->getAttrOfType<FlatSymbolRefAttr>("callee");
  if (auto vjp = dyn_cast<VjpOp>(request))
    absorbPrimalCall(request, calleeName, vjp.getPrimals());
  else if (auto jvp = dyn_cast<JvpOp>(request))
    absorbPrimalCall(request, calleeName, jvp.getPrimals());
  auto callee = symbols.lookup<func::FuncOp>(calleeName.getValue());
  func::FuncOp flat = callee.clone();
  auto cleanup = llvm::make_scope_exit([&] { flat.erase(); });
  if (failed(inlineCalls(flat, symbols)))
    return failure();
  FailureOr<func::FuncOp> derived = failure();
  StringRef what;
  if (auto vmap = dyn_cast<VmapOp>(request)) {
    int64_t size = 0;
    for (auto [operand, isBatched] :
         llvm::zip(vmap.getOperands(), vmap.getBatched()))
      if (isBatched)
        size = cast<RankedTensorType>(operand.getType()).getDimSize(0);
    what = "batch";
    derived = buildBatchedFunction(flat, (calleeName.getValue() + "_vmap").str(),
                                   vmap.getBatched(), size, symbols);
  } else if (isa<VjpOp>(request)) {
    what = "differentiate";
    derived = buildAdjointFunction(flat, (calleeName.getValue() + "_vjp").str(),
                                   symbols);
  } else {
    what = "differentiate";
    derived = buildTangentFunction(flat, (calleeName.getValue() + "_jvp").str(),
                                   symbols);
  }
  if (failed(derived))
    return request->emitOpError("failed to ")
           << what << " '" << calleeName.getValue() << "'";
  OpBuilder b(request);
  auto call = func::CallOp::create(b, request->getLoc(), *derived,
                                   request->getOperands());
  request->replaceAllUsesWith(call.getResults());
  request->erase();
  return success();
}

/// Expands the requests of the given kinds until none is left.
LogicalResult expandRequests(ModuleOp module, unsigned kinds) {
  SymbolTable symbols(module);
  while (true) {
    SmallVector<Operation *> requests;
    bool otherKinds = false;
    module.walk([&](Operation *op) {
      if (!isRequest(op))
        return;
      if (kindOf(op) & kinds)
        requests.push_back(op);
      else
        otherKinds = true;
    });
    if (requests.empty()) {
      if (kinds & kAutodiff)
        lowerCustomCalls(module);
      return success();
    }
    Operation *ready = nullptr;
    for (Operation *request : requests) {
      auto callee = symbols.lookup<func::FuncOp>(
          request->getAttrOfType<FlatSymbolRefAttr>("callee").getValue());
      if (!callee)
        return request->emitOpError("callee is not a func.func in this module");
      DenseSet<Operation *> visited;
      if (!reachesRequest(callee, symbols, visited)) {
        ready = request;
        break;
      }
    }
    if (!ready) {
      if (otherKinds)
        return requests.front()->emitOpError(
            "transforms a function holding requests this pass does not "
            "expand; run cotan-expand-transforms");
      return requests.front()->emitOpError(
          "transforms a function that (transitively) transforms itself");
    }
    if (failed(expand(ready, symbols)))
      return failure();
  }
}

struct ExpandAutodiff
    : mlir::cotan::impl::ExpandAutodiffBase<ExpandAutodiff> {
  void runOnOperation() override {
    if (failed(expandRequests(getOperation(), kAutodiff)))
      signalPassFailure();
  }
};

struct Vmap : mlir::cotan::impl::VmapBase<Vmap> {
  void runOnOperation() override {
    if (failed(expandRequests(getOperation(), kBatching)))
      signalPassFailure();
  }
};

struct ExpandTransforms
    : mlir::cotan::impl::ExpandTransformsBase<ExpandTransforms> {
  void runOnOperation() override {
    if (failed(expandRequests(getOperation(), kAutodiff | kBatching)))
      signalPassFailure();
  }
};

} // namespace
