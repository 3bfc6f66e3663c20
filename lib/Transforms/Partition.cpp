//===- Partition.cpp - the cotan-partition pass ---------------------------===//
//
// Sharded functions (jit with in_shardings) become per-process programs
// through MLIR's shard dialect; see the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "cotan/Conversion/Passes.h"
#include "cotan/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Dialect/Shard/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::cotan {
#define GEN_PASS_DEF_PARTITION
#include "cotan/Transforms/Passes.h.inc"
} // namespace mlir::cotan

using namespace mlir;
using namespace mlir::cotan;

namespace {

constexpr StringLiteral kMesh = "cotan.mesh";
constexpr StringLiteral kSplitAxes = "cotan.split_axes";

/// Per dimension, the mesh axes splitting it (all empty: replicated).
using SplitAxes = SmallVector<shard::GridAxesAttr>;

FailureOr<SplitAxes> splitAxes(Attribute attribute, RankedTensorType type,
                               int64_t meshRank, function_ref<InFlightDiagnostic()> error) {
  SplitAxes axes;
  auto dims = dyn_cast_or_null<ArrayAttr>(attribute);
  if (attribute && !dims)
    return error() << "`" << kSplitAxes << "` must be an array of i64 arrays";
  if (dims && int64_t(dims.size()) > type.getRank())
    return error() << "`" << kSplitAxes << "` has " << dims.size()
                   << " entries for a value of rank " << type.getRank();
  for (Attribute dim : dims ? dims.getValue() : ArrayRef<Attribute>{}) {
    auto list = dyn_cast<DenseI64ArrayAttr>(dim);
    if (!list)
      return error() << "`" << kSplitAxes << "` entries must be i64 arrays";
    SmallVector<int16_t> gridAxes;
    for (int64_t axis : list.asArrayRef()) {
      if (axis < 0 || axis >= meshRank)
        return error() << "mesh axis " << axis << " is out of range for a mesh of rank "
                       << meshRank;
      gridAxes.push_back(int16_t(axis));
    }
    axes.push_back(DenseI16ArrayAttr::get(attribute.getContext(), gridAxes));
  }
  return axes;
}

/// The module's grid for `mesh`, created on first use.
std::string gridFor(ModuleOp module, ArrayRef<int64_t> mesh) {
  std::string name = "cotan_mesh";
  for (auto [i, size] : llvm::enumerate(mesh))
    name += (i ? "x" : "_") + std::to_string(size);
  if (!module.lookupSymbol(name)) {
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    shard::GridOp::create(b, module.getLoc(), name, mesh);
  }
  return name;
}

/// `value` annotated with `axes` on `grid` (for its users, or as produced).
Value annotate(OpBuilder &b, Location loc, Value value, StringRef grid,
               ArrayRef<shard::GridAxesAttr> axes, bool forUsers) {
  Value sharding = shard::ShardingOp::create(b, loc, grid, axes);
  return shard::ShardOp::create(b, loc, value, sharding, forUsers);
}

/// This process's position along `axes` of `mesh`, as an index.
Value position(OpBuilder &b, Location loc, ArrayRef<int64_t> mesh,
               ArrayRef<int64_t> axes) {
  auto scalar = RankedTensorType::get({}, b.getI32Type());
  Value index = AxisIndexOp::create(b, loc, scalar, mesh, axes);
  Value element = tensor::ExtractOp::create(b, loc, index, ValueRange{});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), element);
}

SmallVector<int64_t> widen(ArrayRef<int16_t> axes) {
  return SmallVector<int64_t>(axes.begin(), axes.end());
}

/// This process's block of `value` split per `axes` on `mesh`.
Value localBlock(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> mesh,
                 ArrayRef<shard::GridAxesAttr> axes) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, strides(type.getRank(), b.getIndexAttr(1));
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    if (dim < int64_t(axes.size()) && !axes[dim].empty()) {
      int64_t parts = 1;
      for (int16_t axis : axes[dim].asArrayRef())
        parts *= mesh[axis];
      shape[dim] /= parts;
      Value at = position(b, loc, mesh, widen(axes[dim].asArrayRef()));
      offsets[dim] = arith::MulIOp::create(
                         b, loc, at, arith::ConstantIndexOp::create(b, loc, shape[dim]))
                         .getResult();
    }
    sizes.push_back(b.getIndexAttr(shape[dim]));
  }
  return tensor::ExtractSliceOp::create(b, loc, type.clone(shape), value, offsets,
                                        sizes, strides);
}

/// The global value of a block split per `axes` on `mesh` (an all-gather
/// per split dimension).
Value globalValue(OpBuilder &b, Location loc, Value block, ArrayRef<int64_t> mesh,
                  ArrayRef<shard::GridAxesAttr> axes) {
  for (int64_t dim = int64_t(axes.size()) - 1; dim >= 0; --dim)
    if (!axes[dim].empty())
      block = AllGatherOp::create(b, loc, block, dim, mesh, widen(axes[dim].asArrayRef()));
  return block;
}

/// For each group of a reshape's reassociation, the dimension (in the
/// group's side with more dimensions) that carries the data, if all the
/// others have size 1; nullopt if the reshape really regroups data.
std::optional<SmallVector<int64_t>> carriedDims(ArrayRef<ReassociationIndices> groups,
                                                 ArrayRef<int64_t> wideShape) {
  SmallVector<int64_t> carried;
  for (const ReassociationIndices &group : groups) {
    SmallVector<int64_t> wide = llvm::filter_to_vector(
        group, [&](int64_t dim) { return wideShape[dim] != 1; });
    if (wide.size() > 1)
      return std::nullopt;
    carried.push_back(wide.empty() ? group.front() : wide.front());
  }
  return carried;
}

/// A reshape that only adds (`expanding`) or removes unit dimensions, as a
/// linalg.generic copy: the shard dialect has sharding rules for generics
/// but not for tensor.expand_shape/collapse_shape. `wide` is the operand
/// or result with more dimensions, `carried` its data-carrying dimensions.
Value unitReshapeAsGeneric(OpBuilder &b, Location loc, Value source,
                           RankedTensorType resultType, bool expanding,
                           ArrayRef<int64_t> carried) {
  RankedTensorType wide = expanding ? resultType : cast<RankedTensorType>(source.getType());
  int64_t rank = wide.getRank();
  SmallVector<AffineExpr> narrow = llvm::map_to_vector(
      carried, [&](int64_t dim) { return b.getAffineDimExpr(dim); });
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap projected = AffineMap::get(rank, 0, narrow, b.getContext());
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  if (!expanding)  // the unit dimensions the result drops are reduced
    for (int64_t dim = 0; dim < rank; ++dim)
      if (!llvm::is_contained(carried, dim))
        iterators[dim] = utils::IteratorType::reduction;
  Value init = tensor::EmptyOp::create(b, loc, resultType.getShape(), resultType.getElementType());
  SmallVector<AffineMap> maps = expanding ? SmallVector<AffineMap>{projected, identity}
                                          : SmallVector<AffineMap>{identity, projected};
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{source}, ValueRange{init}, maps, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, args[0]);
             })
      ->getResult(0);
}

/// Rewrites the reshapes of `function` that only add or remove unit
/// dimensions (keepdims, x[:, None]) as generics, which partitioning can
/// split; other reshapes stay (and are reported by shard-partition).
void unitReshapesAsGenerics(func::FuncOp function) {
  function.walk([](Operation *op) {
    OpBuilder b(op);
    Value replacement;
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op)) {
      if (auto carried = carriedDims(expand.getReassociationIndices(),
                                     expand.getResultType().getShape()))
        replacement = unitReshapeAsGeneric(b, op->getLoc(), expand.getSrc(),
                                           expand.getResultType(), true, *carried);
    } else if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op)) {
      if (auto carried = carriedDims(collapse.getReassociationIndices(),
                                     collapse.getSrcType().getShape()))
        replacement = unitReshapeAsGeneric(b, op->getLoc(), collapse.getSrc(),
                                           collapse.getResultType(), false, *carried);
    }
    if (replacement) {
      op->getResult(0).replaceAllUsesWith(replacement);
      op->erase();
    }
  });
}

/// Generic operands read at a constant 0 in a unit dimension (how a
/// broadcast of a size-1 dimension lowers) become operands without that
/// dimension, read through a projected map: the shard dialect's rules for
/// generics take only projected permutations.
void dropConstantUnitIndices(func::FuncOp function) {
  function.walk([](linalg::GenericOp generic) {
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    bool changed = false;
    for (OpOperand *input : generic.getDpsInputOperands()) {
      auto type = dyn_cast<RankedTensorType>(input->get().getType());
      AffineMap map = maps[input->getOperandNumber()];
      if (!type)
        continue;
      SmallVector<int64_t> kept;
      for (auto [position, result] : llvm::enumerate(map.getResults())) {
        auto constant = dyn_cast<AffineConstantExpr>(result);
        if (!(constant && constant.getValue() == 0 && type.getDimSize(position) == 1))
          kept.push_back(position);
      }
      if (kept.size() == size_t(type.getRank()))
        continue;
      OpBuilder b(generic);
      SmallVector<int64_t> shape = llvm::map_to_vector(kept, [&](int64_t d) { return type.getDimSize(d); });
      Value narrowed = unitReshapeAsGeneric(b, generic.getLoc(), input->get(), type.clone(shape),
                                            /*expanding=*/false, kept);
      input->set(narrowed);
      maps[input->getOperandNumber()] = AffineMap::get(
          map.getNumDims(), 0,
          llvm::map_to_vector(kept, [&](int64_t d) { return map.getResult(d); }), map.getContext());
      changed = true;
    }
    if (changed)
      generic.setIndexingMapsAttr(OpBuilder(generic).getAffineMapArrayAttr(maps));
  });
}

/// The split axes of the result tied to `init` when it is the init
/// operand of a destination-style op whose result propagation annotated.
std::optional<SmallVector<shard::GridAxesAttr>> tiedResultAxes(Value init) {
  for (OpOperand &use : init.getUses()) {
    auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
    if (!dps || !dps.isDpsInit(&use))
      continue;
    for (Operation *user : dps.getTiedOpResult(&use).getUsers())
      if (auto shardOp = dyn_cast<shard::ShardOp>(user))
        if (auto sharding = shardOp.getSharding().getDefiningOp<shard::ShardingOp>())
          return SmallVector<shard::GridAxesAttr>(sharding.getSplitAxes().getAxes());
  }
  return std::nullopt;
}

/// Propagation can leave values without a sharding (the empty tensor an
/// accumulator is filled into, when the reduction it feeds splits its
/// result), which shard-partition does not accept. An init operand takes
/// the sharding of its tied result; anything else is replicated, and
/// partitioning reshards it where its users want otherwise.
void replicateUnannotated(func::FuncOp function, StringRef grid) {
  SmallVector<Value> bare;
  function.walk([&](Operation *op) {
    if (isa<shard::ShardDialect>(op->getDialect()))
      return;
    for (Value result : op->getResults())
      if (isa<RankedTensorType>(result.getType()) &&
          llvm::none_of(result.getUsers(), [](Operation *user) { return isa<shard::ShardOp>(user); }))
        bare.push_back(result);
  });
  for (Value value : bare) {
    OpBuilder b(value.getContext());
    b.setInsertionPointAfterValue(value);
    auto rank = cast<RankedTensorType>(value.getType()).getRank();
    SmallVector<shard::GridAxesAttr> axes = tiedResultAxes(value).value_or(
        SmallVector<shard::GridAxesAttr>(rank, DenseI16ArrayAttr::get(value.getContext(), {})));
    Value annotated = annotate(b, value.getLoc(), value, grid, axes, /*forUsers=*/false);
    value.replaceAllUsesExcept(annotated, annotated.getDefiningOp());
  }
}

/// Replaces the shard ops partitioning left with cotan collectives and
/// index arithmetic; fails on any it cannot express.
LogicalResult lowerShardOps(func::FuncOp function, ArrayRef<int64_t> mesh) {
  SmallVector<Operation *> shardOps;
  function.walk([&](Operation *op) {
    if (isa<shard::ShardDialect>(op->getDialect()))
      shardOps.push_back(op);
  });
  for (Operation *op : shardOps) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    auto everyAxis = [&](ArrayRef<int16_t> axes) {
      return axes.empty() ? llvm::to_vector(llvm::seq<int64_t>(0, mesh.size())) : widen(axes);
    };
    Value replacement;
    SmallVector<Value> replacements;
    if (auto allReduce = dyn_cast<shard::AllReduceOp>(op)) {
      std::optional<CollectiveReduction> kind;
      switch (allReduce.getReduction()) {
      case shard::ReductionKind::Sum: kind = CollectiveReduction::Sum; break;
      case shard::ReductionKind::Max: kind = CollectiveReduction::Max; break;
      case shard::ReductionKind::Min: kind = CollectiveReduction::Min; break;
      default: break;
      }
      if (!kind)
        return op->emitError("cotan-partition: unsupported all-reduce kind");
      replacement = allReduce.getGridAxes().empty()
                        ? allReduce.getInput()
                        : AllReduceOp::create(b, loc, *kind, allReduce.getInput(), mesh,
                                              widen(allReduce.getGridAxes()))
                              .getResult();
    } else if (auto gather = dyn_cast<shard::AllGatherOp>(op)) {
      replacement = AllGatherOp::create(b, loc, gather.getInput(),
                                        gather.getGatherAxis().getSExtValue(), mesh,
                                        widen(gather.getGridAxes()));
    } else if (auto slice = dyn_cast<shard::AllSliceOp>(op)) {
      int64_t dim = slice.getSliceAxis().getSExtValue();
      SmallVector<shard::GridAxesAttr> axes(dim + 1, DenseI16ArrayAttr::get(op->getContext(), {}));
      axes[dim] = DenseI16ArrayAttr::get(op->getContext(), slice.getGridAxes());
      replacement = localBlock(b, loc, slice.getInput(), mesh, axes);
    } else if (auto scatter = dyn_cast<shard::ReduceScatterOp>(op)) {
      if (scatter.getReduction() != shard::ReductionKind::Sum)
        return op->emitError("cotan-partition: only sums can be reduce-scattered");
      replacement = ReduceScatterOp::create(b, loc, scatter.getInput(),
                                            scatter.getScatterAxis().getSExtValue(), mesh,
                                            widen(scatter.getGridAxes()));
    } else if (auto exchange = dyn_cast<shard::AllToAllOp>(op)) {
      replacement = AllToAllOp::create(b, loc, exchange.getInput(),
                                       exchange.getSplitAxis().getSExtValue(),
                                       exchange.getConcatAxis().getSExtValue(), mesh,
                                       widen(exchange.getGridAxes()));
    } else if (auto index = dyn_cast<shard::ProcessMultiIndexOp>(op)) {
      for (int64_t axis : everyAxis(index.getAxes()))
        replacements.push_back(position(b, loc, mesh, {axis}));
    } else if (auto linear = dyn_cast<shard::ProcessLinearIndexOp>(op)) {
      replacement = position(b, loc, mesh, everyAxis({}));
    } else if (auto shape = dyn_cast<shard::GridShapeOp>(op)) {
      for (int64_t axis : everyAxis(shape.getAxes()))
        replacements.push_back(arith::ConstantIndexOp::create(b, loc, mesh[axis]));
    } else {
      return op->emitError("cotan-partition: partitioning produced '")
             << op->getName() << "', which cotan cannot run yet";
    }
    if (replacement)
      replacements.push_back(replacement);
    if (replacements.size() != op->getNumResults())
      return op->emitError("cotan-partition: cannot replace this op's results");
    op->replaceAllUsesWith(replacements);
    op->erase();
  }
  return success();
}

struct Partition : mlir::cotan::impl::PartitionBase<Partition> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> sharded;
    for (auto function : module.getOps<func::FuncOp>())
      if (function->hasAttr(kMesh) && !function.isExternal())
        sharded.push_back(function);
    if (sharded.empty())
      return;
    for (func::FuncOp function : sharded)
      if (failed(partition(module, function)))
        return signalPassFailure();
    // The collectives and slices created here are cotan ops and tensor
    // code: lower them, and inline the per-process copies.
    OpPassManager pm(ModuleOp::getOperationName());
    pm.addPass(createConvertCotanToLinalg());
    pm.addPass(createInlinerPass());
    pm.addPass(createSymbolDCEPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    if (failed(runPipeline(pm, module)))
      return signalPassFailure();
    // Nothing refers to the meshes' grids any more.
    for (auto grid : llvm::make_early_inc_range(module.getOps<shard::GridOp>()))
      grid.erase();
  }

  LogicalResult partition(ModuleOp module, func::FuncOp function) {
    auto meshAttr = dyn_cast<DenseI64ArrayAttr>(function->getAttr(kMesh));
    if (!meshAttr || meshAttr.empty() ||
        llvm::any_of(meshAttr.asArrayRef(), [](int64_t n) { return n < 1; }))
      return function.emitError("`") << kMesh << "` must be a non-empty array of positive sizes";
    ArrayRef<int64_t> mesh = meshAttr.asArrayRef();
    auto error = [&] { return function.emitError("cotan-partition: "); };
    SmallVector<SplitAxes> argAxes, resultAxes;
    for (auto [i, type] : llvm::enumerate(function.getArgumentTypes())) {
      auto axes = splitAxes(function.getArgAttr(i, kSplitAxes), cast<RankedTensorType>(type),
                            mesh.size(), error);
      if (failed(axes))
        return failure();
      argAxes.push_back(*axes);
    }
    for (auto [i, type] : llvm::enumerate(function.getResultTypes())) {
      auto axes = splitAxes(function.getResultAttr(i, kSplitAxes),
                            cast<RankedTensorType>(type), mesh.size(), error);
      if (failed(axes))
        return failure();
      resultAxes.push_back(*axes);
    }
    std::string grid = gridFor(module, mesh);

    // The per-process copy: annotated, then partitioned.
    auto local = cast<func::FuncOp>(function->clone());
    local.setName((function.getName() + "_local").str());
    local.setPrivate();
    for (NamedAttribute attribute : function->getDiscardableAttrs())
      local->removeAttr(attribute.getName());
    DictionaryAttr none = DictionaryAttr::get(function.getContext());
    local.setAllArgAttrs(SmallVector<DictionaryAttr>(local.getNumArguments(), none));
    local.setAllResultAttrs(SmallVector<DictionaryAttr>(local.getNumResults(), none));
    module.insert(std::next(Block::iterator(function)), local);
    unitReshapesAsGenerics(local);
    dropConstantUnitIndices(local);
    // One tensor.empty per use: propagation gives each a single sharding
    // (a shared one can be left without, which partitioning cannot take).
    local.walk([](tensor::EmptyOp empty) {
      for (OpOperand &use : llvm::make_early_inc_range(llvm::drop_begin(empty->getUses()))) {
        OpBuilder copier(empty);
        use.set(copier.clone(*empty)->getResult(0));
      }
    });
    OpBuilder b = OpBuilder::atBlockBegin(&local.front());
    for (auto [arg, axes] : llvm::zip(local.getArguments(), argAxes)) {
      Value annotated = annotate(b, arg.getLoc(), arg, grid, axes, /*forUsers=*/true);
      arg.replaceAllUsesExcept(annotated, annotated.getDefiningOp());
    }
    local.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      for (auto [operand, axes] : llvm::zip(ret->getOpOperands(), resultAxes))
        operand.set(annotate(b, ret.getLoc(), operand.get(), grid, axes, /*forUsers=*/false));
    });
    // The upstream passes do not always say why they fail.
    OpPassManager propagation(func::FuncOp::getOperationName());
    propagation.addPass(shard::createShardingPropagation());
    if (failed(runPipeline(propagation, local)))
      return function.emitError("cotan-partition: MLIR's sharding-propagation found no "
                                "sharding for every value of this function");
    replicateUnannotated(local, grid);
    OpPassManager partitioning(func::FuncOp::getOperationName());
    partitioning.addPass(shard::createPartition());
    if (failed(runPipeline(partitioning, local)))
      return function.emitError("cotan-partition: MLIR's shard-partition cannot partition "
                                "this function (an op it has no rule for, or a sharding it "
                                "cannot reach)");
    if (failed(lowerShardOps(local, mesh)))
      return failure();

    // The function itself: blocks in, the copy, results gathered.
    Block &body = function.front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    Operation *lastOld = ret->getPrevNode();
    b.setInsertionPoint(ret);
    SmallVector<Value> blocks;
    for (auto [arg, axes] : llvm::zip(function.getArguments(), argAxes))
      blocks.push_back(localBlock(b, arg.getLoc(), arg, mesh, axes));
    auto call = func::CallOp::create(b, function.getLoc(), local, blocks);
    SmallVector<Value> results;
    for (auto [value, axes] : llvm::zip(call.getResults(), resultAxes))
      results.push_back(globalValue(b, function.getLoc(), value, mesh, axes));
    ret->setOperands(results);
    // The old body (now the copy's) goes, last op first.
    while (lastOld) {
      Operation *previous = lastOld->getPrevNode();
      lastOld->erase();
      lastOld = previous;
    }
    function->removeAttr(kMesh);
    for (unsigned i = 0; i < function.getNumArguments(); ++i)
      function.removeArgAttr(i, kSplitAxes);
    for (unsigned i = 0; i < function.getNumResults(); ++i)
      function.removeResultAttr(i, StringAttr::get(function.getContext(), kSplitAxes));
    return success();
  }
};

} // namespace
