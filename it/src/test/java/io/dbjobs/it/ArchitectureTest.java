package io.dbjobs.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module rules of DESIGN.md, checked on the compiled classes. */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.dbjobs");
  }

  @Test
  void agentDoesNotDependOnManager() {
    noClasses()
        .that()
        .resideInAPackage("io.dbjobs.agent..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.dbjobs.manager..")
        .because("agent and manager never depend on each other: move what both need to common")
        .check(classes);
  }

  @Test
  void managerDoesNotDependOnAgent() {
    noClasses()
        .that()
        .resideInAPackage("io.dbjobs.manager..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.dbjobs.agent..")
        .because("agent and manager never depend on each other: move what both need to common")
        .check(classes);
  }

  @Test
  void commonDependsOnNeitherSide() {
    noClasses()
        .that()
        .resideInAPackage("io.dbjobs.common..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.dbjobs.agent..", "io.dbjobs.manager..")
        .because("common is what agent and manager share; it must not reach back into either")
        .check(classes);
  }

  @Test
  void theJobModelDoesNotDependOnInternals() {
    noClasses()
        .that()
        .resideInAPackage("io.dbjobs.common.job..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.dbjobs.common.jobs..", "io.dbjobs.common.db..", "io.dbjobs.common.tool..")
        .because("the job model is public API; keep database and tool internals out of it")
        .check(classes);
  }
}
