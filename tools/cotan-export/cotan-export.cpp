//===- cotan-export.cpp - compile a cotan module to an object file -------===//
//
// The ahead-of-time path: parses a module of cotan functions, lowers it with
// cotan-cpu-pipeline (one thread, so the code calls nothing but libc and
// libm), translates it to LLVM IR, optimizes it for the target and writes a
// position-independent object file, ready to be linked into a shared or
// static library. cotan.export drives it from Python. With --lowered and
// --emit=llvm/asm it shows the LLVM IR and assembly of an already lowered
// module (the last stages of COTAN_DUMP_DIR).
//
//===----------------------------------------------------------------------===//

#include "cotan/IR/CotanOps.h"
#include "cotan/Transforms/Passes.h"
#include "cotan/Pipelines/Pipelines.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

static llvm::cl::opt<std::string> inputFile(llvm::cl::Positional,
                                            llvm::cl::desc("<input .mlir>"),
                                            llvm::cl::Required);
static llvm::cl::opt<std::string> outputFile("o", llvm::cl::desc("Object file to write"),
                                             llvm::cl::value_desc("file"),
                                             llvm::cl::Required);
static llvm::cl::opt<std::string> targetTriple(
    "triple", llvm::cl::desc("Target triple (default: the host's)"));
static llvm::cl::opt<std::string> targetCpu(
    "target-cpu", llvm::cl::desc("Target CPU, e.g. x86-64-v3 or znver4 "
                                 "(default: the host's)"));
static llvm::cl::opt<bool> fusion("fusion", llvm::cl::desc("Fuse elementwise ops"),
                                  llvm::cl::init(true));
static llvm::cl::opt<bool> lowered(
    "lowered", llvm::cl::desc("The input is already in the LLVM dialect (the "
                              "output of cotan-cpu-pipeline): translate it only"));
enum class Emit { Object, Assembly, LLVMIR };
static llvm::cl::opt<Emit> emit(
    "emit", llvm::cl::desc("What to write"), llvm::cl::init(Emit::Object),
    llvm::cl::values(clEnumValN(Emit::Object, "obj", "an object file"),
                     clEnumValN(Emit::Assembly, "asm", "assembly"),
                     clEnumValN(Emit::LLVMIR, "llvm", "optimized LLVM IR")));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "cotan-export: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::ParseCommandLineOptions(argc, argv, "cotan ahead-of-time compiler\n");
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();

  std::string triple = targetTriple.empty() ? llvm::sys::getDefaultTargetTriple()
                                            : std::string(targetTriple);
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return fail("unknown target triple '" + triple + "': " + error);
  std::string cpu = targetCpu.empty() ? std::string(llvm::sys::getHostCPUName())
                                      : std::string(targetCpu);
  std::string features;
  if (targetCpu.empty() && targetTriple.empty())
    for (const auto &[name, on] : llvm::sys::getHostCPUFeatures())
      features += (on ? "+" : "-") + name.str() + ",";
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      llvm::Triple(triple), cpu, features, targetOptions, llvm::Reloc::PIC_));
  if (!machine)
    return fail("cannot create a target machine for '" + triple + "'");
  if (!machine->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return fail("unknown target CPU '" + cpu + "' for '" + triple + "'");

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<cotan::CotanDialect>();
  cotan::registerControlFlowRules(registry);
  cotan::registerMPIInterfaces(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sources;
  std::string openError;
  auto input = openInputFile(inputFile, &openError);
  if (!input)
    return fail(openError);
  sources.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sources, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sources, ParserConfig(&context));
  if (!module)
    return 1;

  if (!lowered) {
    PassManager pm(&context);
    cotan::CpuPipelineOptions options;
    options.threads = 1; // no thread pool: the library calls only libc and libm
    options.fusion = fusion;
    cotan::buildCpuPipeline(pm, options);
    if (failed(pm.run(*module)))
      return 1;
  }

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(*module, llvmContext);
  if (!llvmModule)
    return fail("cannot translate the lowered module to LLVM IR");
  llvmModule->setTargetTriple(llvm::Triple(triple));
  llvmModule->setDataLayout(machine->createDataLayout());
  if (llvm::Error e = makeOptimizingTransformer(3, 0, machine.get())(llvmModule.get()))
    return fail("LLVM optimization failed: " + llvm::toString(std::move(e)));

  std::error_code code;
  llvm::ToolOutputFile output(outputFile, code, llvm::sys::fs::OF_None);
  if (code)
    return fail("cannot write '" + outputFile + "': " + code.message());
  if (emit == Emit::LLVMIR) {
    llvmModule->print(output.os(), nullptr);
    output.keep();
    return 0;
  }
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, output.os(), nullptr,
                                   emit == Emit::Object
                                       ? llvm::CodeGenFileType::ObjectFile
                                       : llvm::CodeGenFileType::AssemblyFile))
    return fail("the target cannot emit this kind of file");
  codegen.run(*llvmModule);
  output.keep();
  return 0;
}
