                // Public input {{I}}: reject s >= r, then vk_x += s * IC[{{J}}].
                {
                    let s := mload(add(inputs, {{OFFSET}}))
                    if iszero(lt(s, 21888242871839275222246405745257275088548364400416034343698204186575808495617)) { leave }
                    mstore(scratch, {{IC_X}})
                    mstore(add(scratch, 32), {{IC_Y}})
                    mstore(add(scratch, 64), s)
                    if iszero(staticcall(gas(), 0x07, scratch, 96, scratch, 64)) { leave }
                    if iszero(staticcall(gas(), 0x06, acc, 128, acc, 64)) { leave }
                }
