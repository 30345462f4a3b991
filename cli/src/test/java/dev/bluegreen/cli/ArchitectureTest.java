package dev.bluegreen.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries of design.md, checked on the compiled classes (Maven's module graph
 * already forbids reverse dependencies; these are the rules it cannot express).
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.bluegreen");
    }

    @Test
    void transformIsPure() {
        noClasses().that().resideInAPackage("dev.bluegreen.transform..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "org.apache.kafka..",
                        "io.debezium..", "com.zaxxer.hikari..")
                .because("the transform is a pure function over bluegreen's row model; move I/O to sink or cutover")
                .check(classes);
    }

    @Test
    void coreKnowsNoBrokerAndNoDebeziumEngine() {
        noClasses().that().resideInAPackage("dev.bluegreen.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.debezium..")
                .because("core holds contracts and value types; Kafka and Debezium belong to capture, sink and cli")
                .check(classes);
    }

    @Test
    void sinkDoesNotReachIntoCaptureOrCutover() {
        noClasses().that().resideInAPackage("dev.bluegreen.sink..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.bluegreen.capture..", "dev.bluegreen.cutover..",
                        "io.debezium..")
                .because("the sink reads raw envelopes from Kafka through core's decoder; it must not depend on capture"
                        + " or cutover")
                .check(classes);
    }

    @Test
    void onlyCliStartsProcessesOrExits() {
        noClasses().that().resideOutsideOfPackages("dev.bluegreen.cli..", "dev.bluegreen.testkit..")
                .should().callMethod(System.class, "exit", int.class)
                .because("library code throws; only the CLI maps errors to exit codes")
                .check(classes);
    }
}
