package io.escapement.simulator.cli;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.compare.Comparison;
import io.escapement.simulator.net.DropRules;
import io.escapement.simulator.net.NetworkModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compare runs many seeds on one set of options: a drop rule that names a packet by its place in a message drawn
 * per connection (a FIN after a response of drawn size) must find it by the run's own seed's sizes, not by
 * {@code --seed}'s (which compare does not take).
 */
class CompareDropRulesTest
{
    @Test
    void shouldFindTheFinAfterTheResponseEachSeedDraws()
    {
        final Comparison.Workload workload = CompareEntryPoints.workload(new String[]{"--connections", "10",
            "--response-size", "uniform:1000-40000", "--drop", "kind=fin,conn=0,dir=to-client"});
        int differentFromSeedOne = 0;
        final Scenario first = workload.scenario("rfc6298", 1, new double[]{0.01});
        final int finOfSeedOne = finUnit(first, 1);
        for (long seed = 1; seed <= 6; seed++)
        {
            final Scenario scenario = workload.scenario("rfc6298", seed, new double[]{0.01});
            final DropRules rules = (DropRules)scenario.network.dropper();
            final int fin = finUnit(scenario, seed);
            assertTrue(rules.drop(0, false, NetworkModel.SEGMENT, fin, 0, 0), "seed " + seed + ": the FIN at unit " +
                fin + " is the rule's");
            if (fin != finOfSeedOne)
            {
                differentFromSeedOne++;
                assertFalse(rules.drop(0, false, NetworkModel.SEGMENT, finOfSeedOne, 0, 0), "seed " + seed +
                    ": unit " + finOfSeedOne + " is data here (seed 1's FIN), not the FIN");
            }
        }
        assertTrue(differentFromSeedOne > 0, "the seeds drew responses of different lengths");
    }

    /** @return the unit of the server's FIN: after its response's data segments. */
    private static int finUnit(final Scenario scenario, final long seed)
    {
        final int bytes = scenario.responseSizes.bytesFor(seed, 0, 1);
        return (bytes + scenario.mss - 1) / scenario.mss + 1;
    }
}
