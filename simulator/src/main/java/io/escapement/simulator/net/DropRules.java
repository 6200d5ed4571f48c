package io.escapement.simulator.net;

import java.util.List;

/**
 * The {@code --drop} rules of a run, as the network's {@link NetworkModel.Dropper}: a packet any rule names is
 * lost. A rule counts a packet when it is sent ({@code ack >= 0}), not when the simulator asks again about an
 * earlier transmission ({@code ack = -1}), so each count is the packets the rule dropped.
 */
public final class DropRules implements NetworkModel.Dropper
{
    private final DropRule[] rules;

    /** @param rules the rules, in the order given. */
    public DropRules(final List<DropRule> rules)
    {
        this.rules = rules.toArray(DropRule[]::new);
    }

    @Override
    public boolean drop(final long connection, final boolean fromClient, final int packetClass, final int unit,
        final int transmission, final int ack)
    {
        boolean dropped = false;
        for (final DropRule rule : rules)
        {
            if (rule.matches(connection, fromClient, packetClass, unit, transmission, ack))
            {
                if (ack >= 0)
                {
                    rule.count();
                }
                dropped = true;
            }
        }
        return dropped;
    }

    /** A run starts: each rule counts its drops from zero, so that a scenario run twice reports the same. */
    public void reset()
    {
        for (final DropRule rule : rules)
        {
            rule.reset();
        }
    }

    /** @return the rules. */
    public List<DropRule> rules()
    {
        return List.of(rules);
    }
}
