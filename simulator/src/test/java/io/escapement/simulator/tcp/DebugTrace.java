package io.escapement.simulator.tcp;
import static io.escapement.simulator.net.NetworkModel.*;
public class DebugTrace {
  public static void main(String[] a) {
    System.out.println(new OneConnection((conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 2 && tx == 0, b -> b.tailLossProbe(true)).dump());
  }
}
